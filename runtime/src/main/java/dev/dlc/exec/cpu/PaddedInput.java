package dev.dlc.exec.cpu;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import java.util.Arrays;

/**
 * A convolution's input as the direct kernels read it: each plane with its zero padding,
 * (h + 2·padH) rows of w + 2·padW, channels {@code channel} floats apart and images
 * {@code image} floats apart from {@code offset}, and at least {@code slack} readable floats
 * after the last plane, so that whole vectors may run past a row's end.
 */
record PaddedInput(float[] data, int offset, int rowLength, int plane, int channel, int image) {
    /**
     * x itself when it has no padding and the slack after it in its array ({@code inPlace}: the
     * caller never uses what it reads there), else a copy in this thread's scratch, its slack
     * zero, laid out [N, C, ...]. {@code swapped}: x is stored [C, N, H, W], its first two axes
     * swapped (a permute read in place, see {@link Conv2d#forward}): in place, its channels are
     * then N planes apart and its images one.
     */
    static PaddedInput of(float[] x, int xOff, Geometry g, int slack, boolean inPlace, boolean swapped) {
        int rowLength = g.w() + 2 * g.padW(), plane = (g.h() + 2 * g.padH()) * rowLength, image = g.c() * plane;
        int size = g.n() * image;
        if (inPlace && g.padH() == 0 && g.padW() == 0 && xOff + size + slack <= x.length)
            return swapped ? new PaddedInput(x, xOff, rowLength, plane, g.n() * plane, plane) : new PaddedInput(x, xOff, rowLength, plane, plane, image);
        float[] to = Scratch.floats(Scratch.PADDED, size + slack);
        var p = new PaddedInput(to, 0, rowLength, plane, plane, image);
        Parallel.forPieces(g.n(), (lo, hi) -> p.copy(x, xOff, g, swapped, lo, hi));
        Arrays.fill(to, size, size + slack, 0f);
        return p;
    }

    static PaddedInput of(float[] x, int xOff, Geometry g, int slack, boolean inPlace) { return of(x, xOff, g, slack, inPlace, false); }

    /**
     * The input offset of each kernel tap (c, i, j) of a group, in that order, from its window's
     * first element: the tap loops of the direct kernels run over this table, one flat loop the
     * JIT unrolls, where three nested loops of a few trips each measured a quarter slower.
     */
    int[] taps(Geometry g) {
        int[] t = new int[g.depth()];
        int k = 0;
        for (int c = 0; c < g.channelsPerGroup(); c++)
            for (int i = 0; i < g.kh(); i++)
                for (int j = 0; j < g.kw(); j++) t[k++] = c * channel + i * g.dilationH() * rowLength + j * g.dilationW();
        return t;
    }

    /**
     * The first element of every output position's window in group {@code group}'s channels,
     * image after image, row-major: the rows of the window matrix as a gathered GEMM reads them.
     */
    int[] windows(Geometry g, int group) {
        int oh = g.outH(), ow = g.outW();
        int[] starts = new int[g.n() * oh * ow];
        int k = 0;
        for (int n = 0; n < g.n(); n++) {
            int first = offset + n * image + group * g.channelsPerGroup() * channel;
            for (int y = 0; y < oh; y++)
                for (int z = 0; z < ow; z++) starts[k++] = first + y * g.strideH() * rowLength + z * g.strideW();
        }
        return starts;
    }

    /** Images [lo, hi) of x ([N, C, H, W], or [C, N, H, W] when swapped) into this copy. */
    private void copy(float[] x, int xOff, Geometry g, boolean swapped, int lo, int hi) {
        Arrays.fill(data, lo * image, hi * image, 0f);
        for (int n = lo; n < hi; n++)
            for (int c = 0; c < g.c(); c++) {
                int from = xOff + (swapped ? c * g.n() + n : n * g.c() + c) * g.h() * g.w();
                for (int r = 0; r < g.h(); r++)
                    System.arraycopy(x, from + r * g.w(), data, n * image + c * plane + (r + g.padH()) * rowLength + g.padW(), g.w());
            }
    }
}
