package dev.dlc.exec.cpu;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import java.util.Arrays;

/**
 * The input windows of a convolution as a matrix: row (c, i, j) of col holds, for each output
 * position (y, x) in a range, {@code x_pad[c, y·sh - ph + i·dh, x·sw - pw + j·dw]} (zero in the
 * padding). Rows are filled a run of one output row at a time; within a run the positions that
 * read inside the image form one interval, copied with arraycopy at stride 1.
 */
final class Im2col {
    private Im2col() {}

    /** Positions [p0, p0 + pc) of the image (group) at {@code xo} into {@code col} ([K, pc], row-major). */
    static void fill(float[] x, int xo, Geometry g, int p0, int pc, float[] col) {
        int ow = g.outW();
        int row = 0;
        for (int c = 0; c < g.channelsPerGroup(); c++)
            for (int i = 0; i < g.kh(); i++)
                for (int j = 0; j < g.kw(); j++, row += pc) {
                    int plane = xo + c * g.h() * g.w();
                    for (int p = p0; p < p0 + pc; ) {
                        int y = p / ow, x0 = p % ow, run = Math.min(ow - x0, p0 + pc - p);
                        int at = row + p - p0;
                        int iy = y * g.strideH() - g.padH() + i * g.dilationH();
                        if (iy < 0 || iy >= g.h()) Arrays.fill(col, at, at + run, 0f);
                        else copyRun(x, plane + iy * g.w(), g, j, x0, run, col, at);
                        p += run;
                    }
                }
    }

    /** Output columns x0 .. x0 + run - 1 of one input row (kernel column j): zeros, the image, zeros. */
    private static void copyRun(float[] x, int rowStart, Geometry g, int j, int x0, int run, float[] col, int at) {
        int s = g.strideW(), shift = j * g.dilationW() - g.padW();
        // Input column (x0 + q)·s + shift lies in [0, w) for q in [lo, hi).
        int lo = Math.clamp(ceilDiv(-shift, s) - x0, 0, run);
        int hi = Math.clamp(Math.floorDiv(g.w() - 1 - shift, s) + 1 - x0, lo, run);
        Arrays.fill(col, at, at + lo, 0f);
        int src = rowStart + (x0 + lo) * s + shift;
        if (s == 1) System.arraycopy(x, src, col, at + lo, hi - lo);
        else for (int q = lo; q < hi; q++, src += s) col[at + q] = x[src];
        Arrays.fill(col, at + hi, at + run, 0f);
    }

    private static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }
}
