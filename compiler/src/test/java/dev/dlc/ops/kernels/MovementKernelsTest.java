package dev.dlc.ops.kernels;

import static dev.dlc.ops.kernels.K.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MovementKernelsTest {
    // [[0, 1, 2],
    //  [3, 4, 5]]
    static final Tensor X = f32(s(2, 3), 0, 1, 2, 3, 4, 5);

    @Test void reshapeAndFlattenKeepRowMajorOrder() {
        exact(s(3, 2), v(0, 1, 2, 3, 4, 5), run(Prim.RESHAPE, Map.of("shape", List.of(Dim.of(3), Dim.of(2))), type(DType.F32, 3, 2), X));
        exact(s(6), v(0, 1, 2, 3, 4, 5), run(Prim.FLATTEN, Map.of("start", 0L), type(DType.F32, 6), X));
    }

    @Test void transposeAndPermute() {
        exact(s(3, 2), v(0, 3, 1, 4, 2, 5), run(Prim.TRANSPOSE, Map.of("a", -2L, "b", -1L), type(DType.F32, 3, 2), X));
        // [2,2,2] 0..7 permuted (2, 0, 1): out[i][j][k] = x[j][k][i]
        var c = Tensor.build(DType.F32, s(2, 2, 2), i -> i);
        exact(s(2, 2, 2), v(0, 2, 4, 6, 1, 3, 5, 7), run(Prim.PERMUTE, Map.of("axes", List.of(2L, 0L, 1L)), type(DType.F32, 2, 2, 2), c));
    }

    @Test void flipReversesTheGivenAxes() {
        // X = [[0, 1, 2], [3, 4, 5]]
        exact(s(2, 3), v(2, 1, 0, 5, 4, 3), run(Prim.FLIP, Map.of("axes", List.of(1L)), type(DType.F32, 2, 3), X));
        exact(s(2, 3), v(5, 4, 3, 2, 1, 0), run(Prim.FLIP, Map.of("axes", List.of(0L, -1L)), type(DType.F32, 2, 3), X));
        exact(s(2, 3), v(0, 1, 2, 3, 4, 5), run(Prim.FLIP, Map.of("axes", List.of()), type(DType.F32, 2, 3), X));
    }

    @Test void broadcastToAShape() {
        exact(s(2, 3), v(1, 2, 3, 1, 2, 3), run(Prim.BROADCAST, Map.of(), type(DType.F32, 2, 3), f32(s(3), 1, 2, 3)));
        exact(s(2, 2), v(7, 7, 8, 8), run(Prim.BROADCAST, Map.of(), type(DType.F32, 2, 2), f32(s(2, 1), 7, 8)));
    }

    @Test void concatAndStack() {
        var y = f32(s(2, 1), 9, 8);
        exact(s(2, 4), v(0, 1, 2, 9, 3, 4, 5, 8), run(Prim.CONCAT, Map.of("axis", 1L), type(DType.F32, 2, 4), X, y));
        exact(s(4, 3), v(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5), run(Prim.CONCAT, Map.of("axis", 0L), type(DType.F32, 4, 3), X, X));
        var a = f32(s(2), 1, 2);
        var b = f32(s(2), 3, 4);
        exact(s(2, 2), v(1, 2, 3, 4), run(Prim.STACK, Map.of("axis", 0L), type(DType.F32, 2, 2), a, b));
        exact(s(2, 2), v(1, 3, 2, 4), run(Prim.STACK, Map.of("axis", 1L), type(DType.F32, 2, 2), a, b));
        exact(s(2, 2, 3), v(0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5), run(Prim.STACK, Map.of("axis", 1L), type(DType.F32, 2, 2, 3), X, X));
    }

    @Test void splitByTheResultParts() {
        var parts = runAll(Prim.SPLIT, Map.of("sizes", Dim.of(2), "axis", 1L),
                new Type.Tuple(List.of(type(DType.F32, 2, 2), type(DType.F32, 2, 1))), X);
        assertEquals(2, parts.size());
        exact(s(2, 2), v(0, 1, 3, 4), parts.get(0));
        exact(s(2, 1), v(2, 5), parts.get(1));
    }

    @Test void sliceWithStepsAndNegativeStart() {
        var r = Tensor.build(DType.F32, s(6), i -> i * 10);
        exact(s(3), v(10, 30, 50), run(Prim.SLICE, Map.of("axis", 0L, "start", Dim.of(1), "step", 2L), type(DType.F32, 3), r));
        exact(s(2), v(40, 50), run(Prim.SLICE, Map.of("axis", 0L, "start", Dim.of(-2), "step", 1L), type(DType.F32, 2), r));
        exact(s(2, 2), v(1, 2, 4, 5), run(Prim.SLICE, Map.of("axis", -1L, "start", Dim.of(1), "end", Dim.of(3), "step", 1L), type(DType.F32, 2, 2), X));
    }

    @Test void padLastAxesFirstAndCrop() {
        // pads = [left 1, right 0] on the last axis, [top 0, bottom 1] on the first
        exact(s(3, 4), v(-1, 0, 1, 2, -1, 3, 4, 5, -1, -1, -1, -1),
                run(Prim.PAD, Map.of("pads", List.of(1L, 0L, 0L, 1L), "value", -1.0), type(DType.F32, 3, 4), X));
        exact(s(2, 1), v(1, 4), run(Prim.PAD, Map.of("pads", List.of(-1L, -1L), "value", 0.0), type(DType.F32, 2, 1), X));
    }

    @Test void gatherAndScatterAdd() {
        // gather along axis 1: out[i][j] = x[i][index[i][j]]
        var index = i32(s(2, 2), 2, 0, 1, 1);
        exact(s(2, 2), v(2, 0, 4, 4), run(Prim.GATHER, Map.of("axis", 1L), type(DType.F32, 2, 2), X, index));
        // along axis 0: out[i][j] = x[index[i][j]][j]
        exact(s(1, 3), v(3, 1, 5), run(Prim.GATHER, Map.of("axis", 0L), type(DType.F32, 1, 3), X, i32(s(1, 3), 1, 0, 1)));
        assertThrows(IndexOutOfBoundsException.class,
                () -> run(Prim.GATHER, Map.of("axis", 1L), type(DType.F32, 1, 1), X, i32(s(1, 1), 3)));
        // scatter_add: both sources of row 1 land on column 1
        var src = f32(s(2, 2), 10, 20, 30, 40);
        exact(s(2, 3), v(20, 1, 12, 3, 74, 5), run(Prim.SCATTER_ADD, Map.of("axis", 1L), type(DType.F32, 2, 3), X, index, src));
    }

    @Test void oneHotAndEmbedding() {
        var y = i32(s(3), 2, 0, -100);
        var r = run(Prim.ONE_HOT, Map.of("K", Dim.of(3)), type(DType.F32, 3, 3), y);
        exact(s(3, 3), v(0, 0, 1, 1, 0, 0, 0, 0, 0), r);
        assertEquals(DType.F32, r.dtype());
        var table = f32(s(3, 2), 0.5, 1.5, 2.5, 3.5, 4.5, 5.5);
        exact(s(2, 2, 2), v(4.5, 5.5, 0.5, 1.5, 2.5, 3.5, 2.5, 3.5),
                run(Prim.EMBEDDING, Map.of(), type(DType.F32, 2, 2, 2), table, i32(s(2, 2), 2, 0, 1, 1)));
        assertThrows(IndexOutOfBoundsException.class, () -> run(Prim.EMBEDDING, Map.of(), type(DType.F32, 1, 2), table, i32(s(1), 3)));
    }
}
