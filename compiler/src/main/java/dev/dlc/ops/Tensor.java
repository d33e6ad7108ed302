package dev.dlc.ops;

import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * A dense, row-major tensor value for the reference kernels: a dtype, a shape and one double
 * per element. Doubles serve every dtype: floats of the f64 check mode exactly, f32 after
 * rounding ({@link #fit}), integers exactly up to 2^53 (i64 beyond that is lossy), bools as
 * 0 and 1. Immutable: the factories copy their arrays and nothing hands out the storage.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    private final double[] data;

    private Tensor(DType dtype, int[] shape, double[] data) {
        if (data.length != numel(shape))
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + numel(shape) + " values, found " + data.length);
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** A tensor holding copies of {@code shape} and {@code data}. */
    public static Tensor of(DType dtype, int[] shape, double... data) {
        for (int d : shape) if (d < 0) throw new IllegalArgumentException("negative size in " + Arrays.toString(shape));
        return new Tensor(dtype, shape.clone(), data.clone());
    }

    /** Element {@code i} (row-major) is {@code f(i)}. */
    public static Tensor build(DType dtype, int[] shape, IntToDoubleFunction f) {
        var data = new double[numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = f.applyAsDouble(i);
        return new Tensor(dtype, shape.clone(), data);
    }

    public static Tensor scalar(DType dtype, double v) { return new Tensor(dtype, new int[0], new double[] {v}); }

    /** Every element {@code v}. */
    public static Tensor filled(DType dtype, int[] shape, double v) { return build(dtype, shape, _ -> v); }

    public DType dtype() { return dtype; }
    public int rank() { return shape.length; }
    public int dim(int axis) { return shape[axis]; }
    public int[] shape() { return shape.clone(); }
    public int numel() { return data.length; }

    /** Element {@code i} in row-major order. */
    public double at(int i) { return data[i]; }

    /** The element at a multi-index. */
    public double get(int... index) { return data[offset(shape, index)]; }

    /** A copy of the elements in row-major order. */
    public double[] toArray() { return data.clone(); }

    /** The same elements under another shape of equal size (reshape is free in row-major order). */
    public Tensor reshape(int... newShape) { return new Tensor(dtype, newShape.clone(), data); }

    /** The same elements as another dtype, without conversion (kernels convert first). */
    public Tensor withDtype(DType d) { return new Tensor(d, shape, data); }

    /**
     * The elements rounded to what the dtype can hold. Integers wrap as Java's int and long
     * do and bools are 0 or 1 in both modes. Floats narrower than f64 round to nearest
     * ({@code (float) v}, as JavaScript's Math.fround) unless {@code exactFloats}: the f64
     * check mode computes every float dtype in double.
     */
    public Tensor fit(boolean exactFloats) {
        if (dtype == DType.F64 || exactFloats && dtype.isFloat()) return this;
        var out = new double[data.length];
        for (int i = 0; i < out.length; i++) out[i] = fit(dtype, data[i]);
        return new Tensor(dtype, shape, out);
    }

    /** One value rounded to a dtype (see {@link #fit(boolean)}). */
    public static double fit(DType dtype, double v) {
        return switch (dtype) {
            case F64 -> v;
            case F32 -> (float) v;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16((float) v));
            case BF16 -> bfloat16((float) v);
            case I32 -> (int) (long) v;
            case I64 -> (long) v;
            case BOOL -> v != 0 ? 1 : 0;
        };
    }

    /** bfloat16 keeps a float's top 16 bits; round to nearest, ties to even, NaN stays NaN. */
    private static double bfloat16(float f) {
        if (Float.isNaN(f)) return f;
        int bits = Float.floatToRawIntBits(f);
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(bits & 0xFFFF0000);
    }

    // ---------------------------------------------------------------- shapes and indices

    public static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Row-major strides: the last axis has stride 1. */
    public static int[] strides(int[] shape) {
        var s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /** The flat position of a multi-index; each entry must lie within its axis. */
    public static int offset(int[] shape, int[] index) {
        if (index.length != shape.length) throw new IllegalArgumentException("index of rank " + index.length + " for rank " + shape.length);
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
            off = off * shape[i] + index[i];
        }
        return off;
    }

    /** The multi-index of flat position {@code flat}. */
    public static int[] unravel(int flat, int[] shape) {
        var idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) { idx[i] = flat % shape[i]; flat /= shape[i]; }
        return idx;
    }

    /** The sizes of a concrete tensor type; fails on symbolic dimensions. */
    public static int[] shapeOf(Type.Tensor t) {
        if (!t.shape().isConcrete()) throw new IllegalArgumentException("shape " + t.shape() + " is not concrete");
        var out = new int[t.rank()];
        for (int i = 0; i < out.length; i++) out[i] = Math.toIntExact(t.dim(i).value());
        return out;
    }

    /** This tensor's type. */
    public Type.Tensor type() {
        var dims = new long[shape.length];
        for (int i = 0; i < dims.length; i++) dims[i] = shape[i];
        return Type.tensor(dtype, dims);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Tensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && Arrays.equals(t.data, data);
    }

    @Override public int hashCode() { return (dtype.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Arrays.hashCode(data); }

    /** {@code f32[2,2] [1.0, 2.0, 3.0, 4.0]}; long tensors are cut after 32 elements. */
    @Override public String toString() {
        var sb = new StringBuilder(type().toString()).append(" [");
        for (int i = 0; i < Math.min(data.length, 32); i++) sb.append(i == 0 ? "" : ", ").append(data[i]);
        return sb.append(data.length > 32 ? ", ...]" : "]").toString();
    }

    /** A dimension attribute as an int; attributes of a concrete program are constants. */
    public static int size(Dim d) {
        if (!d.isConst()) throw new IllegalArgumentException("dimension " + d + " is not concrete");
        return Math.toIntExact(d.value());
    }
}
