package dev.dlc.ops;

import static dev.dlc.ops.Calls.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.types.Shape;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BroadcastTest {

    static Optional<String> b(String a, String c) {
        return Broadcast.shapes(t(a).shape(), t(c).shape()).map(Shape::toString);
    }

    @Test void numpyRules() {
        assertEquals(Optional.of("[2,3]"), b("f32[2,3]", "f32[3]"));
        assertEquals(Optional.of("[4,2,3]"), b("f32[4,1,3]", "f32[2,1]"));
        assertEquals(Optional.of("[2,3]"), b("f32[]", "f32[2,3]"));
        assertEquals(Optional.empty(), b("f32[2,3]", "f32[4]"));
    }

    @Test void symbolicDims() {
        assertEquals(Optional.of("[B,256]"), b("f32[B,256]", "f32[256]"));
        assertEquals(Optional.of("[B,T]"), b("f32[B,1]", "f32[1,T]"));
        assertEquals(Optional.of("[B,2*C]"), b("f32[B,2*C]", "f32[1,2*C]"));
        assertEquals(Optional.empty(), b("f32[B]", "f32[C]"));
        assertEquals(Optional.empty(), b("f32[B]", "f32[3]"));
    }

    @Test void restShapes() {
        assertEquals(Optional.of("[...,10]"), b("f32[...,10]", "f32[10]"));
        assertEquals(Optional.of("[...,4,10]"), b("f32[...,1,10]", "f32[4,1]"));
        assertEquals(Optional.of("[...,10]"), b("f32[...,10]", "f32[...,1]"));
        assertEquals(Optional.of("[...,10]"), b("f32[...,10]", "f32[]"));
        assertEquals(Optional.empty(), b("f32[...,10]", "f32[2,10]"), "would need the unknown dims");
        assertEquals(Optional.empty(), b("f32[...,3,10]", "f32[...,10]"));
    }

    @Test void errorsNameOpAndTypes() {
        assertEquals("add: cannot broadcast f32[B,256] and f32[128]", opError("+", t("f32[B,256]"), t("f32[128]")));
        assertEquals("mul: cannot broadcast f32[...,10] and f32[2,10] (the leading dimensions of f32[...,10] are unknown)",
                opError("*", t("f32[...,10]"), t("f32[2,10]")));
        assertEquals("where: cannot broadcast f32[B,3] and f32[4]", error("where", t("bool[B,1]"), t("f32[B,3]"), t("f32[4]")));
    }

    @Test void to() {
        assertTrue(Broadcast.to(t("bool[B,1,T,S]").shape(), t("f32[B,H,T,S]").shape()));
        assertFalse(Broadcast.to(t("bool[B,H,T,S]").shape(), t("f32[B,1,T,S]").shape()));
    }
}
