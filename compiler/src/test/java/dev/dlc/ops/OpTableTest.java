package dev.dlc.ops;

import static dev.dlc.ops.Calls.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpTableTest {

    @Test void everyPrimHasExactlyOneRow() {
        assertEquals(EnumSet.allOf(Prim.class), OpTable.table().keySet());
        OpTable.table().forEach((p, d) -> {
            assertEquals(p, d.prim());
            assertNotNull(d.shape(), p + " has no shape rule");
            assertNotNull(d.flops(), p + " has no flop rule");
            assertNotNull(d.fusion(), p + " has no fusion kind");
        });
    }

    @Test void everyFunctionNameResolvesToItsRows() {
        for (String n : OpTable.names()) assertFalse(OpTable.lookup(n).isEmpty(), n);
        assertTrue(OpTable.lookup("add").isEmpty(), "operators are not functions");
        assertTrue(OpTable.lookup("cast").isEmpty());
        assertEquals(Prim.MATMUL, OpTable.lookup("matmul").getFirst().prim());
        assertEquals(Prim.POW, OpTable.lookup("pow").getFirst().prim());
    }

    @Test void operators() {
        assertEquals(Prim.SUB, OpTable.binary("-").orElseThrow().prim());
        assertEquals(Prim.NEG, OpTable.unary("-").orElseThrow().prim());
        assertEquals(Prim.NOT, OpTable.unary("not").orElseThrow().prim());
        assertEquals(Prim.MATMUL, OpTable.binary("@").orElseThrow().prim());
        assertEquals(Prim.AND, OpTable.binary("and").orElseThrow().prim());
        assertTrue(OpTable.binary("%").isEmpty());
    }

    @Test void maxOverloads() throws ShapeError {
        var x = t("f32[B,10]");
        assertEquals(Prim.MAX, bind("max", x).op().prim());
        assertEquals(Prim.MAX, bind("max", x, kw("axis", 1L)).op().prim());
        assertEquals(Prim.MAX, bind("max", x, 0L).op().prim());
        assertEquals(Prim.MAXIMUM, bind("max", x, t("f32[10]")).op().prim());
        assertEquals(Prim.MINIMUM, bind("min", x, x).op().prim());
        assertEquals("f32[B]", type("max", x, kw("axis", 1L)));
        assertEquals("f32[B,10]", type("max", x, t("f32[10]")));
        assertTrue(error("max", x, "a").startsWith("max: the arguments fit none of max("), error("max", x, "a"));
    }

    @Test void castsFixTheirDtype() throws ShapeError {
        var r = bind("i32", t("f32[B]"));
        assertEquals(Prim.CAST, r.op().prim());
        assertEquals("i32", r.args().string("dtype"));
        assertEquals("i32[B]", type("i32", t("f32[B]")));
        assertEquals("bool[2]", type("bool", t("f32[2]")));
        assertEquals("bf16[B,3]", type("bf16", t("f32[B,3]")));
        assertTrue(error("f32", t("i32[B]"), kw("dtype", "i64")).contains("unexpected argument 'dtype'"));
    }

    @Test void defaultsIncludingReferencesToOtherArguments() throws ShapeError {
        var b = bind("max_pool2d", t("f32[B,6,28,28]"), 3L).args();
        assertArrayEquals(new long[] {3, 3}, b.pair("stride"));
        assertArrayEquals(new long[] {0, 0}, b.pair("padding"));
        b = bind("max_pool2d", t("f32[B,6,28,28]"), List.of(3L, 2L), kw("stride", 1L)).args();
        assertArrayEquals(new long[] {1, 1}, b.pair("stride"));
        assertArrayEquals(new long[] {3, 2}, b.pair("kernel"));
        b = bind("sum", t("f32[B,10]")).args();
        assertFalse(b.has("axis"));
        assertTrue(b.axes("axis").isEmpty());
        assertFalse(b.bool("keepdims"));
        assertEquals(List.of(-1L), bind("sum", t("f32[B,10]"), kw("axis", -1L)).args().axes("axis").orElseThrow());
        assertEquals(-1L, bind("softmax", t("f32[B,10]")).args().integer("axis"));
    }

    @Test void bindingErrors() {
        var x = t("f32[B,10]");
        assertEquals("softmax: missing argument 'x'", error("softmax"));
        assertEquals("softmax: unexpected argument 'dim'", error("softmax", x, kw("dim", 1L)));
        assertEquals("softmax: argument 'axis' expects Int, found Float 1.5", error("softmax", x, kw("axis", 1.5)));
        assertEquals("softmax: argument 'x' given twice", error("softmax", x, kw("x", x)));
        assertEquals("exp: expected at most 1 arguments, found 2", error("exp", x, x));
        assertEquals("exp: argument 'x' expects a tensor, found Int 1", error("exp", 1L));
        assertEquals("sqrt: missing argument 'x'", error("sqrt"));
        assertEquals("nope: not a primitive", assertThrows(ShapeError.class,
                () -> OpTable.resolve("nope", List.of(), Map.of())).getMessage());
    }

    @Test void boundAcceptsCheckerValues() {
        var b = new Bound("one_hot", Map.of("y", t("i32[B]"), "K", 10L, "dims", List.of(3L, dim("B")), "pair", 2L));
        assertEquals(dim("10"), b.dim("K"));
        assertEquals(10L, b.integer("K"));
        assertEquals(dims("3", "B"), b.dims("dims"));
        assertArrayEquals(new long[] {2, 2}, b.pair("pair"));
        assertEquals(10.0, b.real("K"));
    }
}
