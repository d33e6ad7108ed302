package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ops.Bound;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Scatter.add against scatter_add's reference kernel: every axis of a 3-D x, repeated indices, an index smaller than x, a bad index. */
class ScatterTest {

    @Test
    void everyAxisAgreesWithTheReferenceKernel() {
        var rng = new SplittableRandom(5);
        int[] xs = {4, 5, 6};
        for (int axis = 0; axis < 3; axis++) {
            int[] is = {3, 4, 5};
            is[axis] = 7; // more rows than x has along the axis: indices repeat, sums meet
            int n = is[0] * is[1] * is[2];
            float[] x = new float[120], src = new float[n], out = new float[120];
            int[] index = new int[n];
            double[] xd = new double[120], srcd = new double[n], indexd = new double[n];
            for (int i = 0; i < 120; i++) xd[i] = x[i] = (float) rng.nextDouble(-1, 1);
            for (int i = 0; i < n; i++) {
                srcd[i] = src[i] = (float) rng.nextDouble(-1, 1);
                indexd[i] = index[i] = rng.nextInt(xs[axis]);
            }
            Scatter.add(x, 0, index, 0, src, 0, out, 0, xs, is, axis);
            var expected = OpTable.def(Prim.SCATTER_ADD).cpu().run(
                    List.of(Tensor.of(DType.F32, xs, xd), Tensor.of(DType.I32, is, indexd), Tensor.of(DType.F32, is, srcd)),
                    new Bound("scatter_add", Map.of("axis", (long) axis)), Type.tensor(DType.F32, 4, 5, 6)).getFirst();
            for (int i = 0; i < 120; i++)
                assertEquals(expected.at(i), out[i], 1e-5, "axis " + axis + " element " + i);
        }
    }

    @Test
    void anIndexOutOfRangeNamesTheOp() {
        float[] x = new float[6], src = {1, 2}, out = new float[6];
        var e = assertThrows(IndexOutOfBoundsException.class, () -> Scatter.add(x, 0, new int[] {0, 3}, 0, src, 0, out, 0, new int[] {3, 2}, new int[] {1, 2}, 0));
        assertTrue(e.getMessage().startsWith("scatter_add: index 3"), e.getMessage());
    }
}
