package dev.dlc.ops.kernels;

import dev.dlc.ops.Kernel;
import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.List;

/** Reference kernels of the ops that move or index data. */
public final class MovementKernels {
    private MovementKernels() {}

    /** reshape and flatten: the same elements in the same row-major order, the node's shape. */
    public static final Kernel RESHAPE = Kernel.of((in, _, r) -> in.getFirst().reshape(Tensor.shapeOf(r)));

    /** transpose(x, a, b): permute with axes a and b swapped. */
    public static final Kernel TRANSPOSE = Kernel.of((in, attrs, r) -> {
        Tensor x = in.getFirst();
        int a = Layout.axis(attrs.integer("a"), x.rank()), b = Layout.axis(attrs.integer("b"), x.rank());
        var perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i == a ? b : i == b ? a : i;
        return permute(x, perm, r);
    });

    /** permute(x, axes): out[o] = x[i] with i[axes[k]] = o[k]. */
    public static final Kernel PERMUTE = Kernel.of((in, attrs, r) -> {
        Tensor x = in.getFirst();
        List<Long> axes = attrs.ints("axes");
        var perm = new int[axes.size()];
        for (int k = 0; k < perm.length; k++) perm[k] = Layout.axis(axes.get(k), x.rank());
        return permute(x, perm, r);
    });

    private static Tensor permute(Tensor x, int[] perm, Type.Tensor r) {
        int[] os = Tensor.shapeOf(r), xs = x.shape();
        return Tensor.build(r.dtype(), os, flat -> {
            int[] o = Tensor.unravel(flat, os);
            var i = new int[o.length];
            for (int k = 0; k < o.length; k++) i[perm[k]] = o[k];
            return x.at(Tensor.offset(xs, i));
        });
    }

    /** flip(x, axes): out[o] = x[i] with i[k] = n[k] - 1 - o[k] along the axes, o[k] elsewhere. */
    public static final Kernel FLIP = Kernel.of((in, attrs, r) -> {
        Tensor x = in.getFirst();
        int[] xs = x.shape();
        var flipped = new boolean[xs.length];
        for (long a : attrs.ints("axes")) flipped[Layout.axis(a, xs.length)] = true;
        return Tensor.build(r.dtype(), xs, flat -> {
            int[] i = Tensor.unravel(flat, xs);
            for (int k = 0; k < i.length; k++) if (flipped[k]) i[k] = xs[k] - 1 - i[k];
            return x.at(Tensor.offset(xs, i));
        });
    });

    /** broadcast(x, shape): NumPy broadcasting to the node's shape. */
    public static final Kernel BROADCAST = Kernel.of((in, _, r) -> {
        Tensor x = in.getFirst();
        int[] os = Tensor.shapeOf(r), xs = x.shape();
        return Tensor.build(r.dtype(), os, i -> x.at(Layout.source(i, os, xs)));
    });

    /** concat(xs, axis): per line before the axis, each input's block of (its size × inner) in turn. */
    public static final Kernel CONCAT = Kernel.of((in, attrs, r) -> {
        int[] os = Tensor.shapeOf(r);
        int axis = Layout.axis(attrs.integer("axis"), os.length), inner = Layout.inner(os, axis);
        var out = new double[Tensor.numel(os)];
        int at = 0;
        for (int o = 0; o < Layout.outer(os, axis); o++)
            for (Tensor t : in) {
                int block = t.dim(axis) * inner;
                for (int i = 0; i < block; i++) out[at++] = t.at(o * block + i);
            }
        return Tensor.of(r.dtype(), os, out);
    });

    /** stack(xs, axis): out[o, t, i] = xs[t][o, i], splitting each input's index at the new axis. */
    public static final Kernel STACK = Kernel.of((in, attrs, r) -> {
        int[] os = Tensor.shapeOf(r);
        int axis = Layout.axis(attrs.integer("axis"), os.length), inner = Layout.inner(os, axis), n = in.size();
        return Tensor.build(r.dtype(), os, i -> in.get((i / inner) % n).at((i / (inner * n)) * inner + i % inner));
    });

    /** split(x, sizes, axis): consecutive parts along the axis, with the sizes of the node's tuple parts. */
    public static final Kernel SPLIT = (in, attrs, r) -> {
        Tensor x = in.getFirst();
        int axis = Layout.axis(attrs.integer("axis"), x.rank()), inner = Layout.inner(x.shape(), axis), n = x.dim(axis);
        var parts = new ArrayList<Tensor>();
        int start = 0;
        for (Type part : ((Type.Tuple) r).parts()) {
            int[] ps = Tensor.shapeOf((Type.Tensor) part);
            int len = ps[axis], from = start;
            parts.add(Tensor.build(x.dtype(), ps, i -> x.at((i / (len * inner)) * n * inner + (from + (i / inner) % len) * inner + i % inner)));
            start += len;
        }
        return parts;
    };

    /** slice(x, axis, start, end, step): out[.., k, ..] = x[.., s + k·step, ..], s with Python's negative index and clamping. */
    public static final Kernel SLICE = Kernel.of((in, attrs, r) -> {
        Tensor x = in.getFirst();
        int axis = Layout.axis(attrs.integer("axis"), x.rank()), n = x.dim(axis), inner = Layout.inner(x.shape(), axis);
        long s0 = Tensor.size(attrs.dim("start"));
        long s = s0 < 0 ? Math.max(0, s0 + n) : Math.min(s0, n), step = attrs.integer("step");
        int[] os = Tensor.shapeOf(r);
        int len = os[axis];
        return Tensor.build(r.dtype(), os, i -> x.at((int) ((i / (len * inner)) * n * inner + (s + (i / inner) % len * step) * inner + i % inner)));
    });

    /** pad(x, pads, value): pairs (before, after) for the last axes, last first; negative pads crop. */
    public static final Kernel PAD = Kernel.of((in, attrs, r) -> {
        Tensor x = in.getFirst();
        List<Long> pads = attrs.ints("pads");
        double value = attrs.real("value");
        int[] os = Tensor.shapeOf(r), xs = x.shape();
        var before = new int[xs.length];
        for (int p = 0; p < pads.size() / 2; p++) before[xs.length - 1 - p] = Math.toIntExact(pads.get(2 * p));
        return Tensor.build(r.dtype(), os, flat -> {
            int[] o = Tensor.unravel(flat, os);
            for (int k = 0; k < o.length; k++) {
                o[k] -= before[k];
                if (o[k] < 0 || o[k] >= xs[k]) return value;
            }
            return x.at(Tensor.offset(xs, o));
        });
    });

    /** gather(x, index, axis): out[p] = x[p with p[axis] replaced by index[p]]; index's shape. */
    public static final Kernel GATHER = Kernel.of((in, attrs, r) -> {
        Tensor x = in.get(0), index = in.get(1);
        int axis = Layout.axis(attrs.integer("axis"), x.rank());
        int[] is = index.shape(), xs = x.shape();
        return Tensor.build(r.dtype(), is, flat -> {
            int[] p = Tensor.unravel(flat, is);
            p[axis] = Layout.index(index, flat, xs[axis], "gather");
            return x.at(Tensor.offset(xs, p));
        });
    });

    /** scatter_add(x, index, src, axis): out = x, then out[p with p[axis] = index[p]] += src[p] for every p. */
    public static final Kernel SCATTER_ADD = Kernel.of((in, attrs, r) -> {
        Tensor x = in.get(0), index = in.get(1), src = in.get(2);
        int axis = Layout.axis(attrs.integer("axis"), x.rank());
        int[] is = index.shape(), xs = x.shape();
        double[] out = x.toArray();
        for (int flat = 0; flat < index.numel(); flat++) {
            int[] p = Tensor.unravel(flat, is);
            p[axis] = Layout.index(index, flat, xs[axis], "scatter_add");
            out[Tensor.offset(xs, p)] += src.at(flat);
        }
        return Tensor.of(r.dtype(), xs, out);
    });

    /** one_hot(y, K)[.., k] = (y[..] == k); a label outside [0, K) gives a row of zeros (an ignored position). */
    public static final Kernel ONE_HOT = Kernel.of((in, attrs, r) -> {
        Tensor y = in.getFirst();
        int k = Tensor.size(attrs.dim("K"));
        return Tensor.build(r.dtype(), Tensor.shapeOf(r), i -> ElementwiseKernels.truth(y.at(i / k) == i % k));
    });

    /** embedding(table [V,D], ids)[.., d] = table[ids[..], d]. */
    public static final Kernel EMBEDDING = Kernel.of((in, _, r) -> {
        Tensor table = in.get(0), ids = in.get(1);
        int v = table.dim(0), d = table.dim(1);
        return Tensor.build(r.dtype(), Tensor.shapeOf(r), i -> table.at(Layout.index(ids, i / d, v, "embedding") * d + i % d));
    });

}
