package dev.dlc.ops.kernels;

import dev.dlc.ops.Tensor;
import java.util.Arrays;

/** Index arithmetic shared by the reference kernels: axes, broadcasting, lines along an axis. */
final class Layout {
    private Layout() {}

    /** A possibly negative axis of a rank-{@code rank} tensor; -1 is the last. */
    static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        return (int) a;
    }

    /** NumPy broadcasting: align from the right; each pair of sizes is equal or one of them is 1. */
    static int[] broadcast(int[]... shapes) {
        int rank = Arrays.stream(shapes).mapToInt(s -> s.length).max().orElse(0);
        var out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes)
            for (int i = 1; i <= s.length; i++) {
                int d = s[s.length - i], o = out[rank - i];
                if (d != o && d != 1 && o != 1)
                    throw new IllegalArgumentException("shapes " + Arrays.deepToString(shapes) + " do not broadcast");
                if (d != 1) out[rank - i] = d;
            }
        return out;
    }

    /**
     * The flat position in a tensor of shape {@code in} that element {@code flatOut} of the
     * broadcast shape {@code out} reads: the trailing indices, with 0 on the axes of size 1.
     */
    static int source(int flatOut, int[] out, int[] in) {
        int[] o = Tensor.unravel(flatOut, out);
        int off = 0, shift = out.length - in.length;
        for (int k = 0; k < in.length; k++) off = off * in[k] + (in[k] == 1 ? 0 : o[k + shift]);
        return off;
    }

    /** The product of the sizes before {@code axis}: how many lines run along it. */
    static int outer(int[] shape, int axis) { return Tensor.numel(Arrays.copyOfRange(shape, 0, axis)); }

    /** The product of the sizes after {@code axis}: the distance between neighbours along it. */
    static int inner(int[] shape, int axis) { return Tensor.numel(Arrays.copyOfRange(shape, axis + 1, shape.length)); }

    /** Reads a tensor element as an index, which must be in [0, n). */
    static int index(Tensor t, int i, int n, String op) {
        double v = t.at(i);
        if (v != Math.rint(v) || v < 0 || v >= n) throw new IndexOutOfBoundsException(op + ": index " + v + " is out of range [0, " + n + ")");
        return (int) v;
    }
}
