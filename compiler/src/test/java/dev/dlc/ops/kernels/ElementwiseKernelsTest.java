package dev.dlc.ops.kernels;

import static dev.dlc.ops.kernels.K.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ElementwiseKernelsTest {
    static final Map<String, Object> NONE = Map.of();

    @Test void everyRowHasACpuKernel() {
        OpTable.table().forEach((p, d) -> assertNotNull(d.cpu(), p + " has no cpu kernel"));
    }

    private static Tensor unary(Prim p, double... x) {
        return run(p, NONE, type(DType.F64, x.length), f64(s(x.length), x));
    }

    @Test void floatUnary() {
        exact(s(3), v(1, Math.E, 1 / Math.E), unary(Prim.EXP, 0, 1, -1));
        near(s(2), v(0, 1), unary(Prim.LOG, 1, Math.E), 1e-15);
        exact(s(2), v(2, 3), unary(Prim.SQRT, 4, 9));
        exact(s(2), v(0.5, 0.25), unary(Prim.RSQRT, 4, 16));
        near(s(2), v(0, 0.7615941559557649), unary(Prim.TANH, 0, 1), 1e-15);
        near(s(2), v(0, 1), unary(Prim.SIN, 0, Math.PI / 2), 1e-15);
        near(s(2), v(1, -1), unary(Prim.COS, 0, Math.PI), 1e-15);
    }

    @Test void sigmoidIsStableAtBothEnds() {
        // 1/(1+e^1) = 0.2689414213699951; e^-1000 underflows to 0 without an inf/inf NaN.
        near(s(5), v(0.5, 0.7310585786300049, 0.2689414213699951, 1, 0), unary(Prim.SIGMOID, 0, 1, -1, 1000, -1000), 1e-15);
    }

    @Test void reluAbsSignNeg() {
        exact(s(3), v(0, 0, 2), unary(Prim.RELU, -1, 0, 2));
        assertTrue(Double.isNaN(unary(Prim.RELU, Double.NaN).at(0)));
        exact(s(3), v(1, 0, 2), unary(Prim.ABS, -1, 0, 2));
        exact(s(3), v(-1, 0, 1), unary(Prim.SIGN, -3, 0, 2));
        exact(s(2), v(-1, 2), unary(Prim.NEG, 1, -2));
        var b = run(Prim.NOT, NONE, type(DType.BOOL, 2), bool(s(2), 1, 0));
        exact(s(2), v(0, 1), b);
    }

    @Test void binaryBroadcastsLikeNumPy() {
        // [[1,2,3],[4,5,6]] + [10,20,30]
        var a = f32(s(2, 3), 1, 2, 3, 4, 5, 6);
        exact(s(2, 3), v(11, 22, 33, 14, 25, 36), run(Prim.ADD, NONE, type(DType.F32, 2, 3), a, f32(s(3), 10, 20, 30)));
        // column [2,1] times row [1,3]: an outer product
        exact(s(2, 3), v(1, 2, 3, 2, 4, 6), run(Prim.MUL, NONE, type(DType.F32, 2, 3), f32(s(2, 1), 1, 2), f32(s(1, 3), 1, 2, 3)));
        // a scalar on the right
        exact(s(2, 3), v(0, 1, 2, 3, 4, 5), run(Prim.SUB, NONE, type(DType.F32, 2, 3), a, Tensor.scalar(DType.F32, 1)));
        exact(s(2), v(0.5, -2), run(Prim.DIV, NONE, type(DType.F32, 2), f32(s(2), 1, 4), f32(s(2), 2, -2)));
        exact(s(2), v(8, 0.5), run(Prim.POW, NONE, type(DType.F32, 2), f32(s(2), 2, 4), f32(s(2), 3, -0.5)));
        exact(s(2), v(3, 3), run(Prim.MAXIMUM, NONE, type(DType.F32, 2), f32(s(2), 1, 2), f32(s(1), 3)));
        exact(s(2, 2), v(1, 1, 2, 2), run(Prim.MINIMUM, NONE, type(DType.F32, 2, 2), f32(s(2, 1), 1, 2), f32(s(2), 3, 2)));
    }

    @Test void integerDivisionFloorsAndRejectsZero() {
        var r = run(Prim.DIV, NONE, type(DType.I32, 4), i32(s(4), 7, -7, 6, 0), i32(s(4), 2, 2, -4, 5));
        exact(s(4), v(3, -4, -2, 0), r);
        assertThrows(ArithmeticException.class, () -> run(Prim.DIV, NONE, type(DType.I32, 1), i32(s(1), 1), i32(s(1), 0)));
        exact(s(2), v(8, 1), run(Prim.POW, NONE, type(DType.I32, 2), i32(s(2), 2, 5), i32(s(2), 3, 0)));
        assertThrows(ArithmeticException.class, () -> run(Prim.POW, NONE, type(DType.I32, 1), i32(s(1), 2), i32(s(1), -1)));
    }

    @Test void comparisonsAndLogicGiveBools() {
        var a = f32(s(3), 1, 2, 3);
        var b = f32(s(1), 2);
        var t = type(DType.BOOL, 3);
        exact(s(3), v(1, 0, 0), run(Prim.LT, NONE, t, a, b));
        exact(s(3), v(1, 1, 0), run(Prim.LE, NONE, t, a, b));
        exact(s(3), v(0, 0, 1), run(Prim.GT, NONE, t, a, b));
        exact(s(3), v(0, 1, 1), run(Prim.GE, NONE, t, a, b));
        exact(s(3), v(0, 1, 0), run(Prim.EQ, NONE, t, a, b));
        exact(s(3), v(1, 0, 1), run(Prim.NE, NONE, t, a, b));
        var p = bool(s(4), 1, 1, 0, 0);
        var q = bool(s(4), 1, 0, 1, 0);
        exact(s(4), v(1, 0, 0, 0), run(Prim.AND, NONE, type(DType.BOOL, 4), p, q));
        exact(s(4), v(1, 1, 1, 0), run(Prim.OR, NONE, type(DType.BOOL, 4), p, q));
        assertEquals(DType.BOOL, run(Prim.LT, NONE, t, a, b).dtype());
    }

    @Test void whereAndMaskedFillBroadcast() {
        // cond [2,1] picks whole rows of a [2,2]; b is a scalar
        var r = run(Prim.WHERE, NONE, type(DType.F32, 2, 2), bool(s(2, 1), 1, 0), f32(s(2, 2), 1, 2, 3, 4), Tensor.scalar(DType.F32, -1));
        exact(s(2, 2), v(1, 2, -1, -1), r);
        var m = run(Prim.MASKED_FILL, Map.of("value", -9.0), type(DType.F32, 2, 2), f32(s(2, 2), 1, 2, 3, 4), bool(s(2), 0, 1));
        exact(s(2, 2), v(1, -9, 3, -9), m);
    }

    @Test void castsTruncateTowardZero() {
        var x = f32(s(4), -1.7, 2.9, 0, Double.NaN);
        exact(s(4), v(-1, 2, 0, 0), run(Prim.CAST, Map.of("dtype", "i32"), type(DType.I32, 4), x));
        exact(s(4), v(1, 1, 0, 1), run(Prim.CAST, Map.of("dtype", "bool"), type(DType.BOOL, 4), x));
        var back = run(Prim.CAST, Map.of("dtype", "f32"), type(DType.F32, 2), bool(s(2), 1, 0));
        exact(s(2), v(1, 0), back);
        assertEquals(DType.F32, back.dtype());
        exact(s(1), v(-2147483648.0), run(Prim.CAST, Map.of("dtype", "i32"), type(DType.I32, 1), f64(s(1), 2147483648.0)));
    }

    @Test void stopGradientAndSources() {
        var x = f32(s(2), 1, 2);
        assertEquals(x, run(Prim.STOP_GRADIENT, NONE, type(DType.F32, 2), x));
        exact(s(2, 2), v(0, 0, 0, 0), run(Prim.ZEROS, Map.of("dtype", "f32"), type(DType.F32, 2, 2)));
        exact(s(3), v(1, 1, 1), run(Prim.ONES, Map.of("dtype", "i32"), type(DType.I32, 3)));
        exact(s(2), v(2.5, 2.5), run(Prim.FULL, Map.of("value", 2.5, "dtype", "f32"), type(DType.F32, 2)));
        exact(s(2), v(2, 2), run(Prim.FULL, Map.of("value", 2.7, "dtype", "i32"), type(DType.I32, 2)));
        var r = run(Prim.ARANGE, NONE, type(DType.I32, 4));
        exact(s(4), v(0, 1, 2, 3), r);
        assertEquals(DType.I32, r.dtype());
    }
}
