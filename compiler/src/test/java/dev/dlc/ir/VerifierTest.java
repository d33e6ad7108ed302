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
    void aScanIsTypedByItsBodyAndAStateThatChangesTypeIsFound() {
        // y_t = x_t, s' = s: scanning f32[2,3] along axis 1 gives (f32[2,3], f32[2]).
        var body = new Graph();
        var row = Type.tensor(DType.F32, 2);
        body.output(body.add(new Node.Input("scan.x", row), null));
        body.output(body.add(new Node.Input("scan.s", row), null));
        var g = new Graph();
        var xs = g.add(new Node.Input("xs", X), null);
        var init = g.add(new Node.Input("h", row), null);
        var right = new Type.Tuple(List.of(X, row));
        g.add(new Node.Apply("scan", List.of(xs, init), Map.of("axis", 1L, "body", body), right), null);
        assertEquals(List.of(), Verifier.verify(g));
        var wrongInit = g.add(new Node.Input("h3", Type.tensor(DType.F32, 3)), null);
        g.add(new Node.Apply("scan", List.of(xs, wrongInit), Map.of("axis", 1L, "body", body), right), null);
        var problems = Verifier.verify(g);
        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().startsWith("scan: its arguments do not type-check again: scan: state part 0 is f32[2] in the body but f32[3] outside"), problems.getFirst());
    }

    @Test
    void anArgumentFromOutsideTheGraphIsFound() {
        var g = new Graph();
        var x = new Node.Input("x", X);          // never added
        g.output(g.add(new Node.Apply("exp", List.of(x), Map.of(), X), null));
        assertTrue(Verifier.verify(g).getFirst().startsWith("exp: an argument is used before it is defined"));
    }
}
