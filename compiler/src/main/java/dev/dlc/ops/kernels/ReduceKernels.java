package dev.dlc.ops.kernels;

import dev.dlc.ops.Bound;
import dev.dlc.ops.Kernel;
import dev.dlc.ops.Tensor;
import java.util.Arrays;

/**
 * Reference kernels of the reductions. Every reduction visits the input in row-major order
 * and accumulates in double, so the result is deterministic; keepdims only changes the
 * result's shape, never its element order.
 */
public final class ReduceKernels {
    private ReduceKernels() {}

    /** For each input element, the output element it is reduced into; index {@code n} holds the group count. */
    private static int[] groups(Tensor x, Bound attrs) {
        int[] shape = x.shape();
        var reduced = new boolean[shape.length];
        if (attrs.has("axis")) for (long a : attrs.axes("axis").orElseThrow()) reduced[Layout.axis(a, shape.length)] = true;
        else Arrays.fill(reduced, true);
        // The reduced axes set to size 1: the keepdims shape, whose row-major order is the result's.
        int[] kept = shape.clone();
        for (int k = 0; k < shape.length; k++) if (reduced[k]) kept[k] = 1;
        var group = new int[x.numel() + 1];
        for (int i = 0; i < x.numel(); i++) {
            int[] idx = Tensor.unravel(i, shape);
            for (int k = 0; k < shape.length; k++) if (reduced[k]) idx[k] = 0;
            group[i] = Tensor.offset(kept, idx);
        }
        group[x.numel()] = Tensor.numel(kept);
        return group;
    }

    private interface Fold { double[] apply(Tensor x, int[] group, double[] acc); }

    private static Kernel reduce(double init, Fold fold) {
        return Kernel.of((in, attrs, r) -> {
            Tensor x = in.getFirst();
            int[] g = groups(x, attrs);
            var acc = new double[g[x.numel()]];
            Arrays.fill(acc, init);
            return Tensor.of(r.dtype(), Tensor.shapeOf(r), fold.apply(x, g, acc));
        });
    }

    /** sum = Σ x. */
    public static final Kernel SUM = reduce(0, (x, g, acc) -> {
        for (int i = 0; i < x.numel(); i++) acc[g[i]] += x.at(i);
        return acc;
    });

    /** mean = Σ x / count. */
    public static final Kernel MEAN = reduce(0, (x, g, acc) -> {
        var count = new int[acc.length];
        for (int i = 0; i < x.numel(); i++) { acc[g[i]] += x.at(i); count[g[i]]++; }
        for (int j = 0; j < acc.length; j++) acc[j] /= count[j];
        return acc;
    });

    /** max; a NaN anywhere in a group makes it NaN (Math.max propagates NaN). */
    public static final Kernel MAX = reduce(Double.NEGATIVE_INFINITY, (x, g, acc) -> {
        for (int i = 0; i < x.numel(); i++) acc[g[i]] = Math.max(acc[g[i]], x.at(i));
        return acc;
    });

    public static final Kernel MIN = reduce(Double.POSITIVE_INFINITY, (x, g, acc) -> {
        for (int i = 0; i < x.numel(); i++) acc[g[i]] = Math.min(acc[g[i]], x.at(i));
        return acc;
    });

    /**
     * logsumexp = m + log Σ exp(x - m) with m = max x, so no exp overflows. When m is infinite
     * (all -inf, or some +inf) the sum would be NaN; the answer is m itself.
     */
    public static final Kernel LOGSUMEXP = reduce(Double.NEGATIVE_INFINITY, (x, g, m) -> {
        for (int i = 0; i < x.numel(); i++) m[g[i]] = Math.max(m[g[i]], x.at(i));
        var s = new double[m.length];
        for (int i = 0; i < x.numel(); i++) s[g[i]] += Math.exp(x.at(i) - m[g[i]]);
        var out = new double[m.length];
        for (int j = 0; j < m.length; j++) out[j] = Double.isInfinite(m[j]) ? m[j] : m[j] + Math.log(s[j]);
        return out;
    });

    /** argmax along one axis: the first position of the largest value (a NaN counts as largest, as NumPy). */
    public static final Kernel ARGMAX = arg(true);
    public static final Kernel ARGMIN = arg(false);

    private static Kernel arg(boolean max) {
        return Kernel.of((in, attrs, r) -> {
            Tensor x = in.getFirst();
            int[] s = x.shape();
            int axis = Layout.axis(attrs.integer("axis"), s.length);
            int n = s[axis], inner = Layout.inner(s, axis);
            return Tensor.build(r.dtype(), Tensor.shapeOf(r), j -> {
                int base = (j / inner) * n * inner + j % inner, best = 0;
                double bv = x.at(base);
                for (int k = 1; k < n && !Double.isNaN(bv); k++) {
                    double v = x.at(base + k * inner);
                    if (Double.isNaN(v) || (max ? v > bv : v < bv)) { best = k; bv = v; }
                }
                return best;
            });
        });
    }

    /**
     * softmax along an axis: e^(x - m) / Σ e^(x - m) with m the line's max (the shift cancels
     * and keeps every exponent <= 0); log_softmax = x - m - log Σ e^(x - m).
     */
    public static final Kernel SOFTMAX = softmax(false);
    public static final Kernel LOG_SOFTMAX = softmax(true);

    private static Kernel softmax(boolean log) {
        return Kernel.of((in, attrs, r) -> {
            Tensor x = in.getFirst();
            int[] s = x.shape();
            int axis = Layout.axis(attrs.integer("axis"), s.length);
            int n = s[axis], inner = Layout.inner(s, axis), lines = Layout.outer(s, axis) * inner;
            var out = new double[x.numel()];
            for (int line = 0; line < lines; line++) {
                int base = (line / inner) * n * inner + line % inner;
                double m = Double.NEGATIVE_INFINITY, sum = 0;
                for (int k = 0; k < n; k++) m = Math.max(m, x.at(base + k * inner));
                for (int k = 0; k < n; k++) sum += Math.exp(x.at(base + k * inner) - m);
                for (int k = 0; k < n; k++) {
                    double z = x.at(base + k * inner) - m;
                    out[base + k * inner] = log ? z - Math.log(sum) : Math.exp(z) / sum;
                }
            }
            return Tensor.of(r.dtype(), s, out);
        });
    }
}
