package dev.dlc.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DimTest {
    static final Dim B = Dim.sym("B"), C = Dim.sym("C"), H = Dim.sym("H"), D = Dim.sym("D"), h = Dim.sym("h");

    @Test
    void canonicalFormMakesEqualSizesEqual() {
        assertEquals(C.times(Dim.of(2)), C.plus(C));
        assertEquals(B.times(C), C.times(B));
        assertEquals(Dim.of(0), C.minus(C));
        assertEquals("B*T+C+1", Dim.sym("T").times(B).plus(C).plus(Dim.of(1)).toString());
        assertEquals("T-1", Dim.sym("T").minus(Dim.of(1)).toString());
    }

    @Test
    void exactDivision() {
        assertEquals(Dim.of(3), Dim.of(6).div(Dim.of(2)));
        assertThrows(DimError.class, () -> Dim.of(7).div(Dim.of(2)));
        assertThrows(DimError.class, () -> C.div(Dim.of(0)));
        assertEquals(C, C.times(Dim.of(2)).div(Dim.of(2)));
        assertEquals("H/2", H.div(Dim.of(2)).toString());
        assertEquals(Dim.of(1), H.div(H));
    }

    @Test
    void quotientsCancelAndSimplify() {
        // h * (D/h) = D: the reshape in multi-head attention checks symbolically.
        assertEquals(D, D.div(h).times(h));
        // (H - 4) // 4 + 1 = H // 4, and a floor and an exact quotient of the same operands are one size.
        assertEquals(H.div(Dim.of(4)), H.minus(Dim.of(4)).floorDiv(Dim.of(4)).plus(Dim.of(1)));
        assertEquals(H, H.floorDiv(Dim.of(1)));
    }

    @Test
    void substitutionEvaluatesQuotients() {
        Dim e = H.minus(Dim.of(4)).floorDiv(Dim.of(2)).plus(Dim.of(1));
        assertEquals(Dim.of(13), e.subst(Map.of("H", Dim.of(28))::get));
        assertThrows(DimError.class, () -> H.div(Dim.of(2)).subst(Map.of("H", Dim.of(7))::get));
        assertEquals(Dim.of(7), D.div(h).subst(Map.of("D", Dim.of(28), "h", Dim.of(4))::get));
    }

    @Test
    void differentSymbolsDiffer() {
        assertNotEquals(B, C);
        assertEquals("B", B.asSymbol());
        assertEquals(null, B.plus(Dim.of(1)).asSymbol());
    }
}
