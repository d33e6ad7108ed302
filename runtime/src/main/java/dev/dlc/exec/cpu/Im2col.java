package dev.dlc.exec.cpu;

import static dev.dlc.exec.cpu.MicroKernel.MR;
import static dev.dlc.exec.cpu.MicroKernel.NR;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import java.util.Arrays;

/**
 * A convolution's input windows packed straight into GEMM panels, never stored whole (im2col
 * without the matrix). Row k = (c, i, j) of the window matrix holds, for each output position
 * (y, x), {@code x_pad[c, y·sh - ph + i·dh, x·sw - pw + j·dw]}, zero in the padding.
 * <ul>
 * <li>{@link #packColumns}: B panels of one image's product {@code w · col}: a panel row is k
 *     over NR consecutive positions, filled one output row's run at a time, the part inside
 *     the image one arraycopy at stride 1;
 * <li>{@link #packWindows}: A panels of the transposed product {@code colᵀ · wᵀ} over a whole
 *     batch (rows are (image, position)): each row walks its window, whose kernel rows are
 *     contiguous in x; this suits the weight gradient, whose "kernel" is an entire image.
 * </ul>
 */
final class Im2col {
    private Im2col() {}

    /** Columns (positions) [j0, j0 + nc) and rows k in [p0, p0 + kc) of the image (group) at xo, as NR-column panels. */
    static void packColumns(float[] x, int xo, Geometry g, int j0, int nc, int p0, int kc, float[] to) {
        int window = g.kh() * g.kw();
        for (int q = 0; q * NR < nc; q++) {
            int base = q * kc * NR, cols = Math.min(NR, nc - q * NR);
            for (int kk = p0; kk < p0 + kc; kk++) {
                int c = kk / window, i = kk / g.kw() % g.kh(), j = kk % g.kw(), at = base + (kk - p0) * NR;
                row(x, xo + c * g.h() * g.w(), g, i, j, j0 + q * NR, cols, to, at);
                if (cols < NR) Arrays.fill(to, at + cols, at + NR, 0f);
            }
        }
    }

    /** Kernel tap (i, j) for positions [p, p + count) of one channel plane into {@code to[at...]}: run by run of output rows. */
    private static void row(float[] x, int plane, Geometry g, int i, int j, int p, int count, float[] to, int at) {
        int ow = g.outW();
        for (int end = p + count; p < end; ) {
            int y = p / ow, x0 = p % ow, run = Math.min(ow - x0, end - p);
            int iy = y * g.strideH() - g.padH() + i * g.dilationH();
            if (iy < 0 || iy >= g.h()) Arrays.fill(to, at, at + run, 0f);
            else run(x, plane + iy * g.w(), g, j, x0, run, to, at);
            p += run;
            at += run;
        }
    }

    /** Output columns x0 .. x0 + run - 1 of one input row (kernel column j): zeros, the image, zeros. */
    private static void run(float[] x, int rowStart, Geometry g, int j, int x0, int run, float[] to, int at) {
        int s = g.strideW(), shift = j * g.dilationW() - g.padW();
        // Input column (x0 + q)·s + shift lies in [0, w) for q in [lo, hi).
        int lo = Math.clamp(ceilDiv(-shift, s) - x0, 0, run);
        int hi = Math.clamp(Math.floorDiv(g.w() - 1 - shift, s) + 1 - x0, lo, run);
        Arrays.fill(to, at, at + lo, 0f);
        int src = rowStart + (x0 + lo) * s + shift;
        if (s == 1) System.arraycopy(x, src, to, at + lo, hi - lo);
        else for (int q = lo; q < hi; q++, src += s) to[at + q] = x[src];
        Arrays.fill(to, at + hi, at + run, 0f);
    }

    /**
     * Rows [i0, i0 + mc) of the batch's window matrix (row = image · positions + position, the
     * images' channels from {@code group}), k in [p0, p0 + kc), as MR-row panels. A panel's rows
     * are split into segments of consecutive positions along one output row of one image; a
     * segment's rows read, at each k, input elements a stride apart in one input row, so the
     * panel is written in order, k after k (walking each row's window instead stored a stride
     * of MR apart and spent its time on runs kw long: ResNet's 3 × 3 windows packed at 8 cycles
     * an element). Segments shorter than a kernel row (a weight gradient's, whose kernel is a
     * whole plane) still walk each window, whose runs are then the longer ones.
     */
    static void packWindows(float[] x, int xOff, Geometry g, int group, int i0, int mc, int p0, int kc, float[] to) {
        int positions = g.positions(), ow = g.outW(), image = g.c() * g.h() * g.w();
        for (int q = 0; q * MR < mc; q++) {
            int base = q * kc * MR, rows = Math.min(MR, mc - q * MR);
            if (rows < MR) Arrays.fill(to, base, base + kc * MR, 0f);
            for (int r = 0; r < rows; ) {
                int row = i0 + q * MR + r, n = row / positions, p = row % positions, y = p / ow, z = p % ow;
                int len = Math.min(rows - r, ow - z);
                int xo = xOff + n * image + group * g.channelsPerGroup() * g.h() * g.w();
                if (len >= g.kw()) segment(x, xo, g, y, z, len, p0, kc, to, base + r);
                else for (int t = 0; t < len; t++) window(x, xo, g, y, z + t, p0, kc, to, base + r + t);
                r += len;
            }
        }
    }

    /**
     * Outputs (y, z .. z + len - 1) of one image, k in [p0, p0 + kc), to {@code to[at + (k - p0)·MR + r]}:
     * for each k = (c, i, j), input row y·sh - ph + i·dh from column z·sw - pw + j·dw, step sw.
     */
    private static void segment(float[] x, int xo, Geometry g, int y, int z, int len, int p0, int kc, float[] to, int at) {
        int kw = g.kw(), kh = g.kh(), h = g.h(), w = g.w(), sw = g.strideW();
        int c = p0 / (kh * kw), i = p0 / kw % kh, j = p0 % kw;
        int x0 = z * sw - g.padW(), y0 = y * g.strideH() - g.padH();
        // Columns x0 + j·dw + r·sw, r in [0, len): one bounds test per k when all of them lie inside the row.
        int last = x0 + (len - 1) * sw;
        for (int kk = 0; kk < kc; kk++) {
            int iy = y0 + i * g.dilationH(), dst = at + kk * MR;
            if (iy < 0 || iy >= h) {
                for (int r = 0; r < len; r++) to[dst + r] = 0f;
            } else {
                int shift = j * g.dilationW(), rowStart = xo + (c * h + iy) * w;
                if (x0 + shift >= 0 && last + shift < w) {
                    for (int r = 0, src = rowStart + x0 + shift; r < len; r++, src += sw) to[dst + r] = x[src];
                } else {
                    for (int r = 0; r < len; r++) {
                        int ix = x0 + shift + r * sw;
                        to[dst + r] = ix >= 0 && ix < w ? x[rowStart + ix] : 0f;
                    }
                }
            }
            if (++j == kw) {
                j = 0;
                if (++i == kh) {
                    i = 0;
                    c++;
                }
            }
        }
    }

    /** The window of output (y, z), k in [p0, p0 + kc), to {@code to[at + (k - p0)·MR]}: one kernel row (i, fixed c) at a time. */
    private static void window(float[] x, int xo, Geometry g, int y, int z, int p0, int kc, float[] to, int at) {
        int kw = g.kw(), kh = g.kh();
        int c = p0 / (kh * kw), i = p0 / kw % kh, j = p0 % kw;
        int x0 = z * g.strideW() - g.padW();
        for (int kk = p0, end = p0 + kc; kk < end; ) {
            int run = Math.min(kw - j, end - kk);
            int iy = y * g.strideH() - g.padH() + i * g.dilationH();
            int dst = at + (kk - p0) * MR;
            if (iy < 0 || iy >= g.h()) {
                for (int q = 0; q < run; q++) to[dst + q * MR] = 0f;
            } else {
                // Taps j + q read input column x0 + (j + q)·d, inside the row for q in [lo, hi).
                int d = g.dilationW(), rowStart = xo + (c * g.h() + iy) * g.w() + x0 + j * d;
                int lo = Math.clamp(ceilDiv(-x0 - j * d, d), 0, run);
                int hi = Math.clamp(Math.floorDiv(g.w() - 1 - x0 - j * d, d) + 1, lo, run);
                for (int q = 0; q < lo; q++) to[dst + q * MR] = 0f;
                for (int q = lo; q < hi; q++) to[dst + q * MR] = x[rowStart + q * d];
                for (int q = hi; q < run; q++) to[dst + q * MR] = 0f;
            }
            kk += run;
            j = 0;
            if (++i == kh) {
                i = 0;
                c++;
            }
        }
    }

    private static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }
}
