package dev.dlc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierTest {
    static final Type.Tensor X = Type.tensor(DType.F32, 2, 3), W = Type.tensor(DType.F32, 3, 4);

    @Test
    void aWellTypedGraphHasNoProblems() {
        var g = new Graph();
        var x = g.add(new Node.Input("x", X), null);
        var w = g.add(new Node.Param("w", W, true), null);
        g.output(g.add(new Node.Apply("matmul", List.of(x, w), Map.of(), Type.tensor(DType.F32, 2, 4)), null));
        assertEquals(List.of(), Verifier.verify(g));
    }

    @Test
    void aWrongRecordedTypeIsFound() {
        var g = new Graph();
        var x = g.add(new Node.Input("x", X), null);
        var w = g.add(new Node.Param("w", W, true), null);
        g.output(g.add(new Node.Apply("matmul", List.of(x, w), Map.of(), Type.tensor(DType.F32, 2, 5)), null));
        var problems = Verifier.verify(g);
        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().startsWith("matmul: recorded type f32[2,5] but the op table infers f32[2,4]"), problems.getFirst());
    }

    @Test
    void anArgumentFromOutsideTheGraphIsFound() {
        var g = new Graph();
        var x = new Node.Input("x", X);          // never added
        g.output(g.add(new Node.Apply("exp", List.of(x), Map.of(), X), null));
        assertTrue(Verifier.verify(g).getFirst().startsWith("exp: an argument is used before it is defined"));
    }
}
