package dev.dlc.ops.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dlc.ops.Bound;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;

/** Test helpers: build tensors, run one op's cpu kernel from the table, compare with written-out values. */
final class K {
    private K() {}

    static int[] s(int... shape) { return shape; }

    static Tensor f32(int[] shape, double... v) { return Tensor.of(DType.F32, shape, v); }
    static Tensor f64(int[] shape, double... v) { return Tensor.of(DType.F64, shape, v); }
    static Tensor i32(int[] shape, double... v) { return Tensor.of(DType.I32, shape, v); }
    static Tensor bool(int[] shape, double... v) { return Tensor.of(DType.BOOL, shape, v); }

    static Type.Tensor type(DType d, int... shape) {
        var dims = new long[shape.length];
        for (int i = 0; i < dims.length; i++) dims[i] = shape[i];
        return Type.tensor(d, dims);
    }

    /** The op's kernel on the inputs with the given attributes and result type; its only result. */
    static Tensor run(Prim p, Map<String, Object> attrs, Type result, Tensor... in) {
        return runAll(p, attrs, result, in).getFirst();
    }

    static List<Tensor> runAll(Prim p, Map<String, Object> attrs, Type result, Tensor... in) {
        return OpTable.def(p).cpu().run(List.of(in), new Bound(p.name().toLowerCase(), attrs), result);
    }

    /** Same shape and values within {@code tol}. */
    static void near(int[] shape, double[] expected, Tensor actual, double tol) {
        assertArrayEquals(shape, actual.shape(), "shape");
        assertArrayEquals(expected, actual.toArray(), tol, () -> "values " + actual);
    }

    static void exact(int[] shape, double[] expected, Tensor actual) { near(shape, expected, actual, 0); }

    static void same(DType d, Tensor t) { assertEquals(d, t.dtype()); }

    static double[] v(double... v) { return v; }
}
