package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dlc.ops.Bound;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.ops.kernels.ElementwiseKernels;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The oracle for the CPU kernels: the op table's reference kernels (doubles), fed the same
 * float values, and a comparison within a float tolerance scaled by each element's magnitude.
 */
final class Ref {
    private Ref() {}

    /** Values in [-1, 1), the same for the same seed. */
    static float[] random(int n, long seed) {
        var r = new SplittableRandom(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    /** The op's reference kernel on f64 tensors of the given shapes and float values. */
    static double[] run(Prim op, Map<String, Object> attrs, int[] resultShape, float[] x, int[] xShape, float[] w, int[] wShape) {
        var inputs = w == null ? List.of(tensor(x, xShape)) : List.of(tensor(x, xShape), tensor(w, wShape));
        var dims = new long[resultShape.length];
        for (int i = 0; i < dims.length; i++) dims[i] = resultShape[i];
        return OpTable.def(op).cpu().run(inputs, new Bound(op.name().toLowerCase(), attrs), Type.tensor(DType.F64, dims))
                .getFirst().toArray();
    }

    private static Tensor tensor(float[] v, int[] shape) {
        var d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return Tensor.of(DType.F64, shape, d);
    }

    static double activate(Epilogue.Activation a, double x) {
        return switch (a) {
            case NONE -> x;
            case RELU -> ElementwiseKernels.relu(x);
            case SIGMOID -> ElementwiseKernels.sigmoid(x);
            case TANH -> Math.tanh(x);
        };
    }

    static float[] abs(float[] v) {
        var a = new float[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        return a;
    }

    /**
     * |got - want| <= 2e-6 · (magnitude + 1) per element, magnitude being the sum of the
     * products' absolute values (an f32 sum of such terms is that close, whatever the order).
     */
    static void near(double[] want, double[] magnitude, float[] got, int gotOffset, String what) {
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[gotOffset + i] - want[i]), tol = 2e-6 * (magnitude[i] + 1);
            if (!(err <= tol)) fail(what + ": element " + i + " is " + got[gotOffset + i] + ", expected " + want[i] + " (tolerance " + tol + ")");
        }
    }

    static void sameBits(float[] a, float[] b, String what) {
        for (int i = 0; i < a.length; i++)
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), () -> what + ": bits differ");
    }
}
