package dev.dlc.ops.kernels;

import static dev.dlc.ops.kernels.K.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinalgKernelsTest {
    static final Map<String, Object> NONE = Map.of();

    @Test void matmul2d() {
        // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
        var r = run(Prim.MATMUL, NONE, type(DType.F32, 2, 2), f32(s(2, 2), 1, 2, 3, 4), f32(s(2, 2), 5, 6, 7, 8));
        exact(s(2, 2), v(19, 22, 43, 50), r);
        // [1,3] @ [3,2]
        exact(s(1, 2), v(4, 5), run(Prim.MATMUL, NONE, type(DType.F32, 1, 2), f32(s(1, 3), 1, 1, 1), f32(s(3, 2), 1, 0, 1, 2, 2, 3)));
    }

    @Test void matmulPromotesOneDimensionalOperands() {
        var a = f32(s(2), 1, 2);
        var m = f32(s(2, 2), 1, 2, 3, 4);
        exact(s(2), v(7, 10), run(Prim.MATMUL, NONE, type(DType.F32, 2), a, m));   // row vector
        exact(s(2), v(5, 11), run(Prim.MATMUL, NONE, type(DType.F32, 2), m, a));   // column vector
        exact(s(), v(5), run(Prim.MATMUL, NONE, type(DType.F32), a, a));            // dot product
    }

    @Test void matmulBroadcastsBatchAxes() {
        // [2,2,2] @ [2,2]: each batch times the identity scaled by 2
        var a = f32(s(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
        var two = f32(s(2, 2), 2, 0, 0, 2);
        exact(s(2, 2, 2), v(2, 4, 6, 8, 10, 12, 14, 16), run(Prim.MATMUL, NONE, type(DType.F32, 2, 2, 2), a, two));
        // [2,1,1,2] @ [3,2,1]: batch [2,1] and [3] broadcast to [2,3]
        var b = f32(s(3, 2, 1), 1, 0, 0, 1, 1, 1);
        var c = f32(s(2, 1, 1, 2), 2, 3, 5, 7);
        exact(s(2, 3, 1, 1), v(2, 3, 5, 5, 7, 12), run(Prim.MATMUL, NONE, type(DType.F32, 2, 3, 1, 1), c, b));
    }

    private static Map<String, Object> conv(long stride, long padding, long dilation, long groups) {
        return Map.of("stride", List.of(stride, stride), "padding", List.of(padding, padding),
                "dilation", List.of(dilation, dilation), "groups", groups);
    }

    @Test void conv2dByHand() {
        // x = 1..9 in a 3x3 image, a 2x2 kernel of ones: each output is a window's sum.
        var x = f32(s(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        var w = f32(s(1, 1, 2, 2), 1, 1, 1, 1);
        exact(s(1, 1, 2, 2), v(12, 16, 24, 28), run(Prim.CONV2D, conv(1, 0, 1, 1), type(DType.F32, 1, 1, 2, 2), x, w));
        // padding 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1) of the zero-padded image
        exact(s(1, 1, 2, 2), v(1, 5, 11, 28), run(Prim.CONV2D, conv(2, 1, 1, 1), type(DType.F32, 1, 1, 2, 2), x, w));
        // dilation 2: the four corners 1 + 3 + 7 + 9
        exact(s(1, 1, 1, 1), v(20), run(Prim.CONV2D, conv(1, 0, 2, 1), type(DType.F32, 1, 1, 1, 1), x, w));
    }

    /** The formula with an explicitly zero-padded copy of x, groups as separate convolutions. */
    private static double[] naive(Tensor x, Tensor w, int st, int pad, int dil, int groups, int oh, int ow) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), o = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
        var padded = new double[n][c][h + 2 * pad][wd + 2 * pad];
        for (int a = 0; a < n; a++) for (int b = 0; b < c; b++) for (int i = 0; i < h; i++) for (int j = 0; j < wd; j++)
            padded[a][b][i + pad][j + pad] = x.get(a, b, i, j);
        var out = new double[n * o * oh * ow];
        int at = 0;
        for (int a = 0; a < n; a++) for (int q = 0; q < o; q++) for (int y = 0; y < oh; y++) for (int z = 0; z < ow; z++) {
            int g = q / (o / groups);
            double acc = 0;
            for (int ci = 0; ci < cg; ci++) for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++)
                acc += padded[a][g * cg + ci][y * st + i * dil][z * st + j * dil] * w.get(q, ci, i, j);
            out[at++] = acc;
        }
        return out;
    }

    private static Tensor ramp(int[] shape, double scale) {
        return Tensor.build(DType.F64, shape, i -> Math.sin(i * scale + 0.3));
    }

    @Test void conv2dAgreesWithTheNaiveFormula() {
        record Config(int n, int c, int h, int w, int o, int k, int stride, int pad, int dil, int groups) {}
        for (var cf : List.of(new Config(2, 4, 7, 6, 6, 3, 2, 1, 1, 2), new Config(1, 3, 8, 8, 2, 3, 1, 2, 2, 1),
                new Config(2, 4, 9, 7, 4, 2, 3, 0, 2, 4), new Config(1, 2, 5, 5, 4, 1, 1, 0, 1, 1))) {
            var x = ramp(s(cf.n, cf.c, cf.h, cf.w), 0.37);
            var w = ramp(s(cf.o, cf.c / cf.groups, cf.k, cf.k), 0.91);
            int oh = (cf.h + 2 * cf.pad - cf.dil * (cf.k - 1) - 1) / cf.stride + 1;
            int ow = (cf.w + 2 * cf.pad - cf.dil * (cf.k - 1) - 1) / cf.stride + 1;
            var r = run(Prim.CONV2D, conv(cf.stride, cf.pad, cf.dil, cf.groups), type(DType.F64, cf.n, cf.o, oh, ow), x, w);
            near(s(cf.n, cf.o, oh, ow), naive(x, w, cf.stride, cf.pad, cf.dil, cf.groups, oh, ow), r, 1e-12);
        }
    }

    private static Map<String, Object> pool(long k, long stride, long padding) {
        return Map.of("kernel", List.of(k, k), "stride", List.of(stride, stride), "padding", List.of(padding, padding));
    }

    @Test void maxPool() {
        // 4x4 image 0..15 in 2x2 windows: the bottom-right of each
        var x = Tensor.build(DType.F32, s(1, 1, 4, 4), i -> i);
        exact(s(1, 1, 2, 2), v(5, 7, 13, 15), run(Prim.MAX_POOL2D, pool(2, 2, 0), type(DType.F32, 1, 1, 2, 2), x));
        // padding never wins, even over negative values
        var neg = f32(s(1, 1, 2, 2), -1, -2, -3, -4);
        // padding 1, kernel 2, stride 2: each window holds one real element and three of padding
        exact(s(1, 1, 2, 2), v(-1, -2, -3, -4), run(Prim.MAX_POOL2D, pool(2, 2, 1), type(DType.F32, 1, 1, 2, 2), neg));
    }

    @Test void avgPoolCountsPaddingAsPyTorchDoes() {
        var x = f32(s(1, 1, 2, 2), 1, 2, 3, 4);
        exact(s(1, 1, 1, 1), v(2.5), run(Prim.AVG_POOL2D, pool(2, 2, 0), type(DType.F32, 1, 1, 1, 1), x));
        // padding 1, kernel 2, stride 2: each window holds one real element and three zeros; / 4
        exact(s(1, 1, 2, 2), v(0.25, 0.5, 0.75, 1), run(Prim.AVG_POOL2D, pool(2, 2, 1), type(DType.F32, 1, 1, 2, 2), x));
    }
}
