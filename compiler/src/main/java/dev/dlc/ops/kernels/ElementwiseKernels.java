package dev.dlc.ops.kernels;

import dev.dlc.ops.Kernel;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Reference kernels of the elementwise ops, casts, dropout and the tensor sources. */
public final class ElementwiseKernels {
    private ElementwiseKernels() {}

    /** y[i] = f(x[i]). */
    public static Kernel map(DoubleUnaryOperator f) {
        return Kernel.of((in, _, r) -> {
            Tensor x = in.getFirst();
            return Tensor.build(r.dtype(), Tensor.shapeOf(r), i -> f.applyAsDouble(x.at(i)));
        });
    }

    /** z = f(a, b) with NumPy broadcasting; the result dtype is the node's (bool for comparisons). */
    public static Kernel zip(DoubleBinaryOperator f) {
        return Kernel.of((in, _, r) -> zip(in.get(0), in.get(1), r, f));
    }

    private static Tensor zip(Tensor a, Tensor b, Type.Tensor r, DoubleBinaryOperator f) {
        int[] out = Tensor.shapeOf(r), as = a.shape(), bs = b.shape();
        return Tensor.build(r.dtype(), out, i -> f.applyAsDouble(a.at(Layout.source(i, out, as)), b.at(Layout.source(i, out, bs))));
    }

    /** 1 / (1 + e^-x), evaluated so that neither branch overflows: e^x / (1 + e^x) for x < 0. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** max(x, 0), keeping NaN (as PyTorch's relu). */
    public static double relu(double x) { return x > 0 || Double.isNaN(x) ? x : 0.0; }

    /** a / b: true division on floats; on integers floor division (Python's //), an error by zero. */
    public static final Kernel DIV = Kernel.of((in, _, r) -> zip(in.get(0), in.get(1), r, r.dtype().isFloat()
            ? (a, b) -> a / b
            : (a, b) -> {
                if (b == 0) throw new ArithmeticException("div: integer division by zero");
                return Math.floor(a / b);
            }));

    /** a ** b; integers to negative powers are an error, as in NumPy. */
    public static final Kernel POW = Kernel.of((in, _, r) -> zip(in.get(0), in.get(1), r, r.dtype().isFloat()
            ? Math::pow
            : (a, b) -> {
                if (b < 0) throw new ArithmeticException("pow: integers to negative powers are not allowed");
                return Math.pow(a, b);
            }));

    /** Comparisons and logic give 1 (true) or 0 (false). */
    public static double truth(boolean b) { return b ? 1 : 0; }

    /** where(cond, a, b)[i] = cond[i] ? a[i] : b[i], all three broadcast. */
    public static final Kernel WHERE = Kernel.of((in, _, r) -> {
        Tensor c = in.get(0), a = in.get(1), b = in.get(2);
        int[] out = Tensor.shapeOf(r);
        return Tensor.build(r.dtype(), out, i -> c.at(Layout.source(i, out, c.shape())) != 0
                ? a.at(Layout.source(i, out, a.shape())) : b.at(Layout.source(i, out, b.shape())));
    });

    /** masked_fill(x, mask, value)[i] = mask[i] ? value : x[i], the mask broadcast to x. */
    public static final Kernel MASKED_FILL = Kernel.of((in, attrs, r) -> {
        Tensor x = in.get(0), m = in.get(1);
        double value = attrs.real("value");
        int[] out = x.shape();
        return Tensor.build(r.dtype(), out, i -> m.at(Layout.source(i, out, m.shape())) != 0 ? value : x.at(i));
    });

    /**
     * Inverted dropout: when training, element i is kept iff u(seed, site, i) >= p and a kept
     * element is scaled by 1/(1-p), so the expectation is x and inference is the identity. The
     * executor supplies {@code training}, {@code seed} and {@code site} (see {@link CounterRng}).
     */
    public static final Kernel DROPOUT = Kernel.of((in, attrs, r) -> {
        Tensor x = in.getFirst();
        double p = attrs.real("p");
        if (Double.isNaN(p)) throw new IllegalArgumentException("dropout: the rate p is not known");
        boolean training = attrs.has("training") && attrs.bool("training");
        if (!training || p == 0) return x;
        long key = CounterRng.key(attrs.integer("seed"), attrs.integer("site"));
        double scale = 1 / (1 - p);
        return Tensor.build(r.dtype(), x.shape(), i -> CounterRng.uniform(key, i) >= p ? x.at(i) * scale : 0.0);
    });

    /** Casts: to an integer truncates toward zero (NaN gives 0), to bool tests != 0, to a float is exact here. */
    public static final Kernel CAST = Kernel.of((in, _, r) -> {
        Tensor x = in.getFirst();
        DType to = r.dtype();
        return Tensor.build(to, x.shape(), i -> convert(x.at(i), to));
    });

    static double convert(double v, DType to) {
        if (to.isBool()) return truth(v != 0);
        if (to.isInt()) return Double.isNaN(v) ? 0 : Tensor.fit(to, (double) (long) v);
        return v;
    }

    /** stop_gradient(x) = x: the op matters only to autodiff. */
    public static final Kernel IDENTITY = Kernel.of((in, _, _) -> in.getFirst());

    /** zeros and ones: the node's type filled with one value. */
    public static Kernel fill(double v) {
        return Kernel.of((_, _, r) -> Tensor.filled(r.dtype(), Tensor.shapeOf(r), v));
    }

    /** full(shape, value): a value converted to the dtype (full(.., 2.7, dtype = "i32") is 2). */
    public static final Kernel FULL = Kernel.of((_, attrs, r) ->
            Tensor.filled(r.dtype(), Tensor.shapeOf(r), convert(attrs.real("value"), r.dtype())));

    /** arange(n) = [0, 1, ..., n-1]. */
    public static final Kernel ARANGE = Kernel.of((_, _, r) -> Tensor.build(r.dtype(), Tensor.shapeOf(r), i -> i));
}
