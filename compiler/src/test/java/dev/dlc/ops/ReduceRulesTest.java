package dev.dlc.ops;

import static dev.dlc.ops.Calls.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ReduceRulesTest {

    @Test void reduceAxes() {
        var x = t("f32[B,T,10]");
        assertEquals("f32[]", type("sum", x));
        assertEquals("f32[1,1,1]", type("mean", x, kw("keepdims", true)));
        assertEquals("f32[B,T]", type("sum", x, kw("axis", -1L)));
        assertEquals("f32[B,1,10]", type("max", x, kw("axis", 1L), kw("keepdims", true)));
        assertEquals("f32[T]", type("min", x, kw("axis", ints(0, 2))));
        assertEquals("f32[B,T]", type("logsumexp", x, kw("axis", 2L)));
        assertEquals("i32[B]", type("sum", t("i32[B,K]"), kw("axis", 1L)));
    }

    @Test void reduceErrors() {
        assertEquals("sum: axis 2 is out of range for f32[B,10]", error("sum", t("f32[B,10]"), kw("axis", 2L)));
        assertEquals("sum: axis -3 is out of range for f32[B,10]", error("sum", t("f32[B,10]"), kw("axis", -3L)));
        assertEquals("sum: axis -1 is repeated", error("sum", t("f32[B,10]"), kw("axis", ints(1, -1))));
        assertEquals("mean: expected a float tensor, found i32[B]", error("mean", t("i32[B]")));
        assertEquals("logsumexp: expected a float tensor, found i64[B]", error("logsumexp", t("i64[B]")));
        assertEquals("sum: expected a numeric tensor, found bool[B]", error("sum", t("bool[B]")));
    }

    @Test void restShapes() {
        assertEquals("f32[...,T]", type("sum", t("f32[...,T,10]"), kw("axis", -1L)));
        assertEquals("f32[]", type("mean", t("f32[...,10]")));
        assertEquals("sum: axis 0 needs a known rank, but f32[...,10] has unknown leading dimensions (use a negative axis)",
                error("sum", t("f32[...,10]"), kw("axis", 0L)));
        assertEquals("sum: needs a known rank, but f32[...,10] has unknown leading dimensions",
                error("sum", t("f32[...,10]"), kw("keepdims", true)));
    }

    @Test void argReductions() {
        assertEquals("i32[B]", type("argmax", t("f32[B,10]")));
        assertEquals("i32[B,1]", type("argmin", t("f32[B,10]"), kw("axis", 1L), kw("keepdims", true)));
        assertEquals("i32[10]", type("argmax", t("i64[B,10]"), kw("axis", 0L)));
        assertEquals("argmax: axis 2 is out of range for f32[B,10]", error("argmax", t("f32[B,10]"), 2L));
        assertEquals("argmax: argument 'axis' expects Int, found [Int 0, Int 1]", error("argmax", t("f32[B,10]"), ints(0, 1)));
    }

    @Test void softmax() {
        assertEquals("f32[B,H,T,S]", type("softmax", t("f32[B,H,T,S]"), kw("axis", -1L)));
        assertEquals("f32[...,K]", type("log_softmax", t("f32[...,K]")));
        assertEquals("softmax: expected a float tensor, found i32[B]", error("softmax", t("i32[B]")));
        assertEquals("log_softmax: axis 1 is out of range for f32[B]", error("log_softmax", t("f32[B]"), 1L));
    }

    @Test void flops() throws ShapeError {
        var r = bind("sum", t("f32[B,10]"));
        assertEquals(dim("10*B"), r.op().flops().flops(r.args(), r.op().infer(r.args())));
        r = bind("softmax", t("f32[32,10]"));
        assertEquals(dim("1600"), r.op().flops().flops(r.args(), r.op().infer(r.args())));
    }
}
