package dev.dlc.exec.cpu;

import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;

/**
 * The scalar semantics generated code calls where one Java expression would not do, each the
 * same arithmetic as the op table's reference kernel (ops/kernels), so that a generated kernel
 * rounds exactly as the interpreter does.
 */
public final class Ops {
    private Ops() {}

    /** Integer division as DIV's reference kernel: floor division, an error by zero. */
    public static double idiv(double a, double b) {
        if (b == 0) throw new ArithmeticException("div: integer division by zero");
        return Math.floor(a / b);
    }

    /** Integer power as POW's reference kernel: negative powers are an error. */
    public static double ipow(double a, double b) {
        if (b < 0) throw new ArithmeticException("pow: integers to negative powers are not allowed");
        return Math.pow(a, b);
    }

    /** CAST's conversion: to an integer truncates toward zero (NaN gives 0), to bool tests != 0. */
    public static double convert(double v, DType to) {
        if (to.isBool()) return v != 0 ? 1 : 0;
        if (to.isInt()) return Double.isNaN(v) ? 0 : Tensor.fit(to, (double) (long) v);
        return v;
    }

    /** A float rounded to a dtype narrower than f32 (f16, bf16), as {@link Tensor#fit(DType, double)}. */
    public static double fit(DType to, double v) { return Tensor.fit(to, v); }

    /** An index read from a tensor element, checked as the reference kernels check it. */
    public static int index(double v, int n, String op) {
        if (v != Math.rint(v) || v < 0 || v >= n) throw new IndexOutOfBoundsException(op + ": index " + v + " is out of range [0, " + n + ")");
        return (int) v;
    }
}
