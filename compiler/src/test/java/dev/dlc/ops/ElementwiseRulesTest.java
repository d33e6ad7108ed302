package dev.dlc.ops;

import static dev.dlc.ops.Calls.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ElementwiseRulesTest {

    @Test void floatUnary() {
        for (String f : new String[] {"exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "relu", "sin", "cos"}) {
            assertEquals("f32[B,784]", type(f, t("f32[B,784]")));
            assertEquals("f64[...,3]", type(f, t("f64[...,3]")));
            assertEquals(f + ": expected a float tensor, found i32[B]", error(f, t("i32[B]")));
        }
    }

    @Test void numericAndBoolUnary() throws ShapeError {
        assertEquals("i32[B]", type("abs", t("i32[B]")));
        assertEquals("f32[B]", type("sign", t("f32[B]")));
        assertEquals("abs: expected a numeric tensor, found bool[B]", error("abs", t("bool[B]")));
        assertEquals("i64[3]", op("-", t("i64[3]")));
        assertEquals("bool[B,T]", op("not", t("bool[B,T]")));
        assertEquals("not: expected a bool tensor, found f32[B]", opError("not", t("f32[B]")));
    }

    @Test void arithmetic() throws ShapeError {
        assertEquals("f32[B,256]", op("+", t("f32[B,256]"), t("f32[256]")));
        assertEquals("f32[B]", op("@", t("f32[B,D]"), t("f32[D]")));
        assertEquals("f32[B]", op("+", t("f32[B]"), t("f32[]")));
        assertEquals("i32[2,3]", op("/", t("i32[2,1]"), t("i32[3]")));
        assertEquals("f32[B,3]", type("pow", t("f32[B,3]"), t("f32[]")));
        assertEquals("sub: dtypes differ: f32[B] and i32[B]", opError("-", t("f32[B]"), t("i32[B]")));
        assertEquals("add: expected a numeric tensor, found bool[B]", opError("+", t("bool[B]"), t("bool[B]")));
        assertEquals("pow: cannot broadcast f32[B] and f32[C]", opError("**", t("f32[B]"), t("f32[C]")));
    }

    @Test void comparisonsAndLogic() throws ShapeError {
        assertEquals("bool[B,10]", op("<", t("f32[B,10]"), t("f32[]")));
        assertEquals("bool[B]", op("==", t("i32[B]"), t("i32[B]")));
        assertEquals("bool[B]", op("!=", t("bool[B]"), t("bool[1]")));
        assertEquals("ge: expected a numeric tensor, found bool[B]", opError(">=", t("bool[B]"), t("bool[B]")));
        assertEquals("eq: dtypes differ: i32[B] and i64[B]", opError("==", t("i32[B]"), t("i64[B]")));
        assertEquals("bool[B,T]", op("and", t("bool[B,1]"), t("bool[T]")));
        assertEquals("or: expected bool operands, found f32[B]", opError("or", t("bool[B]"), t("f32[B]")));
    }

    @Test void where() {
        assertEquals("f32[B,10]", type("where", t("bool[B,1]"), t("f32[B,10]"), t("f32[]")));
        assertEquals("where: expected a bool condition, found f32[B]", error("where", t("f32[B]"), t("f32[B]"), t("f32[B]")));
        assertEquals("where: dtypes differ: f32[B] and i32[B]", error("where", t("bool[B]"), t("f32[B]"), t("i32[B]")));
    }

    @Test void maskedFill() {
        // The attention example: masked_fill(scores, not mask, -1e9) with mask: bool[B, 1, T, S].
        assertEquals("f32[B,H,T,S]", type("masked_fill", t("f32[B,H,T,S]"), t("bool[B,1,T,S]"), -1e9));
        assertEquals("f32[B,3]", type("masked_fill", t("f32[B,3]"), t("bool[B,3]"), 0L));
        assertEquals("masked_fill: expected a bool mask, found f32[B,3]", error("masked_fill", t("f32[B,3]"), t("f32[B,3]"), 0.0));
        assertEquals("masked_fill: mask bool[B,4] does not broadcast to f32[B,1]",
                error("masked_fill", t("f32[B,1]"), t("bool[B,4]"), 0.0));
    }

    @Test void dropoutCastStopGradient() {
        assertEquals("f32[B,256]", type("dropout", t("f32[B,256]"), 0.5));
        assertEquals("dropout: p must be in [0, 1), found 1.0", error("dropout", t("f32[B,256]"), 1.0));
        assertEquals("dropout: expected a float tensor, found i32[B]", error("dropout", t("i32[B]"), 0.5));
        assertEquals("f32[B]", type("f32", t("bool[B]")));
        assertEquals("i64[B,T]", type("stop_gradient", t("i64[B,T]")));
    }

    @Test void sources() {
        assertEquals("f32[B,10]", type("zeros", dims("B", "10")));
        assertEquals("i32[3]", type("ones", dims("3"), kw("dtype", "i32")));
        assertEquals("f32[2,2]", type("full", dims("2", "2"), 7L));
        assertEquals("i32[T]", type("arange", dim("T")));
        assertEquals("i32[5]", type("arange", 5L));
        assertEquals("zeros: unknown dtype \"f8\"", error("zeros", dims("3"), kw("dtype", "f8")));
        assertEquals("zeros: expected sizes >= 0, found [B,-1]", error("zeros", dims("B", "-1")));
        assertEquals("arange: expected n >= 0, found -2", error("arange", -2L));
    }
}
