package dev.dlc.exec.cpu;

/**
 * Per-thread work arrays of the convolution kernels, grown as needed and kept: a kernel may run
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

    /** Kernel planes packed with padded rows (DotConv). */
    static final int KERNEL_ROWS = 3;
    /** Tiles' accumulators between chunks of input channels (DotConv). */
    static final int SUMS = 4;

    /** A channel's outputs in the input's row coordinates (DirectConv). */
    static final int FLAT = 5;

    private static final ThreadLocal<float[][]> LOCAL = ThreadLocal.withInitial(() -> new float[6][0]);

    /** This thread's array for {@code slot}, at least n floats long (its contents are not cleared). */
    static float[] floats(int slot, int n) {
        float[][] s = LOCAL.get();
        if (s[slot].length < n) s[slot] = new float[n];
        return s[slot];
    }
}
