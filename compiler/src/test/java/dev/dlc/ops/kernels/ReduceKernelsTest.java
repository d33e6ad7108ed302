package dev.dlc.ops.kernels;

import static dev.dlc.ops.kernels.K.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReduceKernelsTest {
    // [[1, 2, 3],
    //  [4, 5, 6]]
    static final Tensor X = f32(s(2, 3), 1, 2, 3, 4, 5, 6);

    private static Map<String, Object> axes(boolean keep, long... axes) {
        return Map.of("axis", java.util.Arrays.stream(axes).boxed().toList(), "keepdims", keep);
    }

    @Test void sumOverAllOrSomeAxes() {
        exact(s(), v(21), run(Prim.SUM, Map.of("keepdims", false), type(DType.F32), X));
        exact(s(1, 1), v(21), run(Prim.SUM, Map.of("keepdims", true), type(DType.F32, 1, 1), X));
        exact(s(3), v(5, 7, 9), run(Prim.SUM, axes(false, 0), type(DType.F32, 3), X));
        exact(s(2, 1), v(6, 15), run(Prim.SUM, axes(true, -1), type(DType.F32, 2, 1), X));
        // [2,2,2] over axes 0 and 2: [[0,1],[2,3]] and [[4,5],[6,7]] -> (0+1+4+5, 2+3+6+7)
        var c = f32(s(2, 2, 2), 0, 1, 2, 3, 4, 5, 6, 7);
        exact(s(2), v(10, 18), run(Prim.SUM, axes(false, 0, 2), type(DType.F32, 2), c));
        exact(s(2), v(6, 15), run(Prim.SUM, axes(false, 1), type(DType.I32, 2), i32(s(2, 3), 1, 2, 3, 4, 5, 6)));
    }

    @Test void meanMaxMin() {
        exact(s(2), v(2, 5), run(Prim.MEAN, axes(false, 1), type(DType.F32, 2), X));
        exact(s(), v(3.5), run(Prim.MEAN, Map.of("keepdims", false), type(DType.F32), X));
        exact(s(3), v(4, 5, 6), run(Prim.MAX, axes(false, 0), type(DType.F32, 3), X));
        exact(s(2), v(1, 4), run(Prim.MIN, axes(false, 1), type(DType.F32, 2), X));
        assertTrue(Double.isNaN(run(Prim.MAX, Map.of("keepdims", false), type(DType.F32), f32(s(2), Double.NaN, 1)).at(0)));
    }

    @Test void logsumexpIsStable() {
        // log(e^1 + e^2 + e^3) = 3.40760596444438
        near(s(2), v(3.40760596444438, 6.40760596444438), run(Prim.LOGSUMEXP, axes(false, 1), type(DType.F64, 2), X.withDtype(DType.F64)), 1e-12);
        // 1000 + log 2: e^1000 alone overflows
        near(s(), v(1000.6931471805599), run(Prim.LOGSUMEXP, Map.of("keepdims", false), type(DType.F64), f64(s(2), 1000, 1000)), 1e-12);
        exact(s(), v(Double.NEGATIVE_INFINITY), run(Prim.LOGSUMEXP, Map.of("keepdims", false), type(DType.F64),
                f64(s(2), Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY)));
    }

    @Test void argmaxArgminTakeTheFirstOfTies() {
        var x = f32(s(2, 3), 3, 7, 7, 5, 1, 1);
        var r = run(Prim.ARGMAX, Map.of("axis", -1L, "keepdims", false), type(DType.I32, 2), x);
        exact(s(2), v(1, 0), r);
        assertEquals(DType.I32, r.dtype());
        exact(s(2), v(0, 1), run(Prim.ARGMIN, Map.of("axis", 1L, "keepdims", false), type(DType.I32, 2), x));
        exact(s(1, 3), v(1, 0, 0), run(Prim.ARGMAX, Map.of("axis", 0L, "keepdims", true), type(DType.I32, 1, 3), x));
    }

    @Test void softmaxValues() {
        // e^[1,2,3] / Σ = [0.09003057, 0.24472847, 0.66524096]
        var r = run(Prim.SOFTMAX, Map.of("axis", -1L), type(DType.F64, 1, 3), f64(s(1, 3), 1, 2, 3));
        near(s(1, 3), v(0.09003057317038046, 0.24472847105479767, 0.6652409557748219), r, 1e-15);
        // along axis 0 of [[0, 0], [ln 3, 0]]: columns [1/4, 3/4] and [1/2, 1/2]
        var c = run(Prim.SOFTMAX, Map.of("axis", 0L), type(DType.F64, 2, 2), f64(s(2, 2), 0, 0, Math.log(3), 0));
        near(s(2, 2), v(0.25, 0.5, 0.75, 0.5), c, 1e-15);
        var l = run(Prim.LOG_SOFTMAX, Map.of("axis", 1L), type(DType.F64, 1, 3), f64(s(1, 3), 1, 2, 3));
        near(s(1, 3), v(-2.40760596444438, -1.40760596444438, -0.40760596444438), l, 1e-12);
    }

    @Test void softmaxOfLargeInputsDoesNotOverflow() {
        var r = run(Prim.SOFTMAX, Map.of("axis", -1L), type(DType.F32, 3), f32(s(3), 1000, 1000, -1000));
        exact(s(3), v(0.5, 0.5, 0), r);
        var l = run(Prim.LOG_SOFTMAX, Map.of("axis", -1L), type(DType.F32, 2), f32(s(2), 10000, 0));
        near(s(2), v(0, -10000), l, 1e-9);
        for (double d : l.toArray()) assertFalse(Double.isNaN(d));
    }

    @Test void axisListsMayBeGivenAsOneInt() {
        // The checker normalizes axis = 1 to [1]; the kernel reads either through Bound.axes.
        exact(s(2), v(6, 15), run(Prim.SUM, Map.of("axis", List.of(1L), "keepdims", false), type(DType.F32, 2), X));
    }
}
