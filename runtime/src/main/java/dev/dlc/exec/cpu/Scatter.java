package dev.dlc.exec.cpu;

/**
 * {@code scatter_add(x, index, src, axis)} for generated code: out = x, then
 * {@code out[p with p[axis] = index[p]] += src[p]} for every p of index's shape, in row-major
 * order (the reference kernel's order: a run gives the same bits every time). The sums are f32,
 * where the reference sums in double and rounds once: they differ only where several indices
 * meet one element (an embedding row used twice in a batch), by the rounding of each add.
 * The embedding gradient was the last op of the recurrent examples through the interpreter.
 */
public final class Scatter {
    private Scatter() {}

    public static void add(float[] x, int xo, int[] index, int io, float[] src, int so, float[] out, int oo, int[] xs, int[] is, int axis) {
        int xn = 1;
        for (int d : xs) xn *= d;
        if (out != x || oo != xo) System.arraycopy(x, xo, out, oo, xn);
        int rank = is.length;
        int[] stride = new int[rank];
        for (int d = rank - 1, s = 1; d >= 0; s *= xs[d], d--) stride[d] = s;
        int n = 1;
        for (int d : is) n *= d;
        int[] p = new int[rank];
        int base = 0; // the offset in x of p with p[axis] = 0
        for (int flat = 0; flat < n; flat++) {
            int at = index[io + flat];
            if (at < 0 || at >= xs[axis]) throw new IndexOutOfBoundsException("scatter_add: index " + at + " is out of range [0, " + xs[axis] + ")");
            out[oo + base + at * stride[axis]] += src[so + flat];
            for (int d = rank - 1; d >= 0; d--) { // the next p, row-major
                if (++p[d] < is[d]) {
                    if (d != axis) base += stride[d];
                    break;
                }
                if (d != axis) base -= (is[d] - 1) * stride[d];
                p[d] = 0;
            }
        }
    }
}
