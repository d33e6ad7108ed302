package dev.dlc.ops;

import static dev.dlc.ops.Calls.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinalgRulesTest {

    @Test void matmul2d() throws ShapeError {
        assertEquals("f32[B,256]", op("@", t("f32[B,784]"), t("f32[784,256]")));
        assertEquals("f32[B,10]", type("matmul", t("f32[B,784]"), t("f32[784,10]")));
        assertEquals("matmul: inner dimensions differ: f32[B,784] @ f32[256,10]", opError("@", t("f32[B,784]"), t("f32[256,10]")));
        assertEquals("matmul: dtypes differ: f32[B,3] and f64[3,4]", opError("@", t("f32[B,3]"), t("f64[3,4]")));
        assertEquals("i32[2,4]", op("@", t("i32[2,3]"), t("i32[3,4]")));
        assertEquals("matmul: expected a numeric tensor, found bool[2,3]", opError("@", t("bool[2,3]"), t("bool[3,4]")));
    }

    @Test void matmulOneDimensional() throws ShapeError {
        // Logistic regression: x @ w with x: f32[B, D], w: f32[D].
        assertEquals("f32[B]", op("@", t("f32[B,D]"), t("f32[D]")));
        assertEquals("f32[N]", op("@", t("f32[K]"), t("f32[K,N]")));
        assertEquals("f32[]", op("@", t("f32[K]"), t("f32[K]")));
        assertEquals("f32[B,N]", op("@", t("f32[K]"), t("f32[B,K,N]")));
        assertEquals("matmul: inner dimensions differ: f32[B,D] @ f32[E]", opError("@", t("f32[B,D]"), t("f32[E]")));
        assertEquals("matmul: expected operands of rank >= 1, found f32[] @ f32[3]", opError("@", t("f32[]"), t("f32[3]")));
    }

    @Test void matmulBatched() throws ShapeError {
        // Attention: q @ transpose(k) and softmax(scores) @ v.
        assertEquals("f32[B,H,T,S]", op("@", t("f32[B,H,T,D]"), t("f32[B,H,D,S]")));
        assertEquals("f32[B,H,T,E]", op("@", t("f32[B,H,T,S]"), t("f32[B,H,S,E]")));
        assertEquals("f32[4,B,2,5]", op("@", t("f32[4,1,2,3]"), t("f32[B,3,5]")));
        assertEquals("matmul: cannot broadcast the batch dimensions of f32[B,2,3] @ f32[C,3,5]",
                opError("@", t("f32[B,2,3]"), t("f32[C,3,5]")));
    }

    @Test void matmulRest() throws ShapeError {
        // Linear on x: f32[..., in]: whatever the leading dims, [..., K] @ [K, N] is [..., N].
        assertEquals("f32[...,N]", op("@", t("f32[...,K]"), t("f32[K,N]")));
        assertEquals("f32[...,T,N]", op("@", t("f32[...,T,K]"), t("f32[K,N]")));
        assertEquals("f32[...]", op("@", t("f32[...,K]"), t("f32[K]")));
        assertEquals("matmul: needs a known rank, but f32[...,K] has unknown leading dimensions",
                opError("@", t("f32[M,K]"), t("f32[...,K]")));
        assertEquals("matmul: needs a known rank, but f32[...,K] has unknown leading dimensions",
                opError("@", t("f32[...,K]"), t("f32[B,K,N]")));
    }

    @Test void linearFlops() throws ShapeError {
        var r = bind("matmul", t("f32[B,784]"), t("f32[784,256]"));
        var out = r.op().infer(r.args());
        assertEquals(dim("401408*B"), r.op().flops().flops(r.args(), out));  // 2 * 784 * 256 per row
        r = bind("matmul", t("f32[32,784]"), t("f32[784,256]"));
        assertEquals(2L * 32 * 784 * 256, r.op().flops().flops(r.args(), r.op().infer(r.args())).value());
        r = bind("matmul", t("f32[8,4,16,32]"), t("f32[8,4,32,16]"));
        assertEquals(2L * 8 * 4 * 16 * 16 * 32, r.op().flops().flops(r.args(), r.op().infer(r.args())).value());
    }

    @Test void leNet() {
        var x = t("f32[B,1,28,28]");
        assertEquals("f32[B,6,28,28]", type("conv2d", x, t("f32[6,1,5,5]"), kw("padding", 2L)));
        assertEquals("f32[B,6,14,14]", type("avg_pool2d", t("f32[B,6,28,28]"), 2L, kw("stride", 2L)));
        assertEquals("f32[B,16,10,10]", type("conv2d", t("f32[B,6,14,14]"), t("f32[16,6,5,5]")));
        assertEquals("f32[B,16,5,5]", type("max_pool2d", t("f32[B,16,10,10]"), 2L));
    }

    @Test void convOutputSizes() {
        // floor((H + 2p - d*(k-1) - 1) / s) + 1, as PyTorch.
        assertEquals("f32[1,8,4,4]", type("conv2d", t("f32[1,3,8,8]"), t("f32[8,3,3,3]"), kw("stride", 2L), kw("padding", 1L)));
        assertEquals("f32[1,8,3,3]", type("conv2d", t("f32[1,3,7,7]"), t("f32[8,3,3,3]"), kw("stride", 2L)));
        assertEquals("f32[1,8,3,7]", type("conv2d", t("f32[1,3,7,7]"), t("f32[8,3,3,1]"), kw("stride", List.of(2L, 1L))));
        assertEquals("f32[1,8,4,4]", type("conv2d", t("f32[1,3,8,8]"), t("f32[8,3,3,3]"), kw("dilation", 2L)));
        assertEquals("f32[1,4,6,6]", type("conv2d", t("f32[1,4,8,8]"), t("f32[4,1,3,3]"), kw("groups", 4L)));
        assertEquals("f32[N,8,H-2,W-2]", type("conv2d", t("f32[N,3,H,W]"), t("f32[8,3,3,3]")));
        assertEquals("f32[N,8,H,W]", type("conv2d", t("f32[N,3,H,W]"), t("f32[8,3,3,3]"), kw("padding", 1L)));
        // (H-2)//2+1 = H//2: whole multiples of the divisor come out of a floor division.
        assertEquals("f32[N,3,H//2,W]", type("max_pool2d", t("f32[N,3,H,W]"), List.of(2L, 1L), kw("stride", List.of(2L, 1L))));
        assertEquals("f32[1,3,3,3]", type("max_pool2d", t("f32[1,3,7,7]"), 3L, kw("stride", 2L)));
        assertEquals("f32[1,3,4,4]", type("avg_pool2d", t("f32[1,3,7,7]"), 3L, kw("stride", 2L), kw("padding", 1L)));
    }

    @Test void convErrors() {
        assertEquals("conv2d: input has 3 channels but the weight expects 1 (groups = 1)",
                error("conv2d", t("f32[B,3,28,28]"), t("f32[6,1,5,5]")));
        assertEquals("conv2d: input has 3 channels but the weight expects 4 (groups = 2)",
                error("conv2d", t("f32[B,3,28,28]"), t("f32[6,2,5,5]"), kw("groups", 2L)));
        assertEquals("conv2d: 5 output channels are not divisible by groups = 2",
                error("conv2d", t("f32[B,4,28,28]"), t("f32[5,2,5,5]"), kw("groups", 2L)));
        assertEquals("conv2d: kernel 5x5 is larger than the padded input 4x4 (input f32[B,1,4,4], padding 0)",
                error("conv2d", t("f32[B,1,4,4]"), t("f32[6,1,5,5]")));
        assertEquals("conv2d: kernel 3x3 dilated by 3x3 is larger than the padded input 6x6 (input f32[B,1,6,6], padding 0)",
                error("conv2d", t("f32[B,1,6,6]"), t("f32[6,1,3,3]"), kw("dilation", 3L)));
        assertEquals("conv2d: expected an input [N,C,H,W] of rank 4, found f32[B,784]",
                error("conv2d", t("f32[B,784]"), t("f32[6,1,5,5]")));
        assertEquals("conv2d: expected a float tensor, found i32[B,1,4,4]", error("conv2d", t("i32[B,1,4,4]"), t("i32[6,1,1,1]")));
        assertEquals("conv2d: stride must be positive, found 0", error("conv2d", t("f32[B,1,4,4]"), t("f32[6,1,1,1]"), kw("stride", 0L)));
        assertEquals("conv2d: argument 'padding' expects Int or [Int, Int], found [Int 1, Int 2, Int 3]",
                error("conv2d", t("f32[B,1,4,4]"), t("f32[6,1,1,1]"), kw("padding", List.of(1L, 2L, 3L))));
        assertEquals("max_pool2d: kernel 3x3 is larger than the padded input 2x2 (input f32[B,1,2,2], padding 0)",
                error("max_pool2d", t("f32[B,1,2,2]"), 3L));
        assertEquals("avg_pool2d: padding 2 is more than half the kernel 2", error("avg_pool2d", t("f32[B,1,8,8]"), 2L, kw("padding", 2L)));
        assertEquals("max_pool2d: expected an input [N,C,H,W] of rank 4, found f32[...,28,28]",
                error("max_pool2d", t("f32[...,28,28]"), 2L));
    }

    @Test void convAndPoolFlops() throws ShapeError {
        var r = bind("conv2d", t("f32[2,1,28,28]"), t("f32[6,1,5,5]"), kw("padding", 2L));
        assertEquals(2L * 2 * 6 * 28 * 28 * 1 * 5 * 5, r.op().flops().flops(r.args(), r.op().infer(r.args())).value());
        r = bind("avg_pool2d", t("f32[2,6,28,28]"), 2L);
        assertEquals(4L * 2 * 6 * 14 * 14, r.op().flops().flops(r.args(), r.op().infer(r.args())).value());
        r = bind("reshape", t("f32[2,6]"), dims("12"));
        assertEquals(0L, r.op().flops().flops(r.args(), r.op().infer(r.args())).value());
    }
}
