package dev.dlc.exec.cpu;

import static dev.dlc.exec.cpu.MicroKernel.NR;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import java.util.Arrays;

/**
 * A convolution's input windows packed straight into GEMM panels, never stored whole (im2col
 * without the matrix). Row k = (c, i, j) of the window matrix holds, for each output position
 * (y, x), {@code x_pad[c, y·sh - ph + i·dh, x·sw - pw + j·dw]}, zero in the padding.
 * {@link #packColumns} fills the B panels of one image's product {@code w · col}: a panel row
 * is k over NR consecutive positions, filled one output row's run at a time, the part inside
 * the image one arraycopy at stride 1. (The batch-folded product needs no packing: it reads
 * the windows in place, see {@link Gemm.Gathered}.)
 */
final class Im2col {
    private Im2col() {}

    /** Columns (positions) [j0, j0 + nc) and rows k in [p0, p0 + kc) of the image (group) at xo, as NR-column panels from {@code to[from]}. */
    static void packColumns(float[] x, int xo, Geometry g, int j0, int nc, int p0, int kc, float[] to, int from) {
        int window = g.kh() * g.kw();
        for (int q = 0; q * NR < nc; q++) {
            int base = from + q * kc * NR, cols = Math.min(NR, nc - q * NR);
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

    private static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }
}
