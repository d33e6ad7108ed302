package dev.dlc.exec.cpu;

/**
 * Per-thread work arrays of the convolution and product kernels, grown as needed and kept: a kernel may run
 * on any thread, and allocating its buffers per call would cost more than small layers compute.
 */
final class Scratch {
    private Scratch() {}

    /** The transposed product of a folded batch (Conv2d). */
    static final int PRODUCT = 0;
    /** The zero-padded copy of an input (DirectConv). */
    static final int PADDED = 1;
    /** Weights interleaved by tap (DirectConv). */
    static final int WEIGHTS = 2;
    /** Columns of a product built transposed (SkinnyGemm). */
    static final int COLUMNS = 3;
    /** A plane's elements at even and at odd positions, or a row of window maxima (Pool2d). */
    static final int PAIRS = 4;

    /** Kernel planes packed with padded rows (DotConv). */
    static final int KERNEL_ROWS = 5;
    /** Tiles' accumulators between chunks of input channels (DotConv). */
    static final int SUMS = 6;
    /** A channel's outputs in the input's row coordinates (DirectConv). */
    static final int FLAT = 7;

    /** A plane's window maxima, and their shares of the gradient, in rows stuffed with zeros (Pool2d's gradient). */
    static final int MAXIMA = 8, SHARES = 9;
    /** A plane of x padded with -inf (Pool2d's gradient). */
    static final int PADDED_PLANE = 10;

    /** An operand stored with its first two axes swapped, copied back (Conv2d). */
    static final int UNSWAPPED_X = 11, UNSWAPPED_W = 12;

    /** Planes of x, of g and of dx with a plane a lane (Pool2d's gradient across planes). */
    static final int ACROSS_X = 13, ACROSS_G = 14, ACROSS_DX = 15;

    /** All of a product's B, packed once for every thread to read (Gemm's gathered products). */
    static final int PACKED_B = 16;

    private static final ThreadLocal<float[][]> LOCAL = ThreadLocal.withInitial(() -> new float[17][0]);

    /** This thread's array for {@code slot}, at least n floats long (its contents are not cleared), with {@link Storage#SLACK} more after them. */
    static float[] floats(int slot, int n) {
        float[][] s = LOCAL.get();
        if (s[slot].length < n + Storage.SLACK) s[slot] = new float[n + Storage.SLACK];
        return s[slot];
    }
}
