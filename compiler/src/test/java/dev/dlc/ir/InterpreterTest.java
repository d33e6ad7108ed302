package dev.dlc.ir;

import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpreterTest {
    static final Interpreter.Options F32 = Interpreter.Options.f32(), F64 = Interpreter.Options.f64();

    private static Tensor f32(int[] shape, double... v) { return Tensor.of(DType.F32, shape, v); }
    private static int[] s(int... shape) { return shape; }

    private static Node apply(Graph g, String op, Type type, Map<String, Object> attrs, Node... args) {
        return g.add(new Node.Apply(op, List.of(args), attrs, type), null);
    }

    @Test void f32RoundsAfterEachOpAndF64DoesNot() {
        // x + 1e-8 - x: 0 in f32 (1 + 1e-8 rounds to 1), 1e-8 up to rounding in f64.
        var g = new Graph();
        var t = Type.tensor(DType.F32, 1);
        var x = g.add(new Node.Input("x", t), null);
        var eps = g.add(new Node.Const(1e-8, Type.tensor(DType.F32)), null);
        var sum = apply(g, "add", t, Map.of(), x, eps);
        g.output(apply(g, "sub", t, Map.of(), sum, x));
        var in = Map.of("x", f32(s(1), 1));
        assertEquals(0.0, Interpreter.run(g, in, Map.of(), F32).getFirst().at(0));
        assertEquals(1e-8, Interpreter.run(g, in, Map.of(), F64).getFirst().at(0), 1e-16);
    }

    @Test void maxAndMinNameTheReductionOrTheElementwiseOp() {
        var g = new Graph();
        var t = Type.tensor(DType.F32, 2);
        var a = g.add(new Node.Input("a", t), null);
        var b = g.add(new Node.Input("b", t), null);
        var m = apply(g, "max", t, Map.of(), a, b);
        g.output(m);
        g.output(apply(g, "max", Type.tensor(DType.F32), Map.of("keepdims", false), m));
        var out = Interpreter.run(g, Map.of("a", f32(s(2), 1, 5), "b", f32(s(2), 3, 2)), Map.of(), F32);
        assertEquals(f32(s(2), 3, 5), out.get(0));
        assertEquals(Tensor.scalar(DType.F32, 5), out.get(1));
    }

    @Test void scanThreadsTheStateAndStacksOutputs() {
        // A running sum over axis 1 of [[1,2,3],[4,5,6]]: y_t = s + x_t, s' = y_t.
        var body = new Graph();
        var row = Type.tensor(DType.F32, 2);
        var xt = body.add(new Node.Input("scan.x", row), null);
        var st = body.add(new Node.Input("scan.s", row), null);
        var y = apply(body, "add", row, Map.of(), xt, st);
        body.output(y);
        body.output(y);
        var g = new Graph();
        var xs = g.add(new Node.Input("xs", Type.tensor(DType.F32, 2, 3)), null);
        var init = apply(g, "zeros", row, Map.of("shape", List.of(dev.dlc.types.Dim.of(2)), "dtype", "f32"));
        var tuple = new Type.Tuple(List.of(Type.tensor(DType.F32, 2, 3), row));
        var scan = apply(g, "scan", tuple, Map.of("axis", 1L, "body", body), xs, init);
        g.output(g.add(new Node.Project(scan, 0, tuple.parts().get(0)), null));
        g.output(g.add(new Node.Project(scan, 1, row), null));
        var out = Interpreter.run(g, Map.of("xs", f32(s(2, 3), 1, 2, 3, 4, 5, 6)), Map.of(), F32);
        assertEquals(f32(s(2, 3), 1, 3, 6, 4, 9, 15), out.get(0));
        assertEquals(f32(s(2), 6, 15), out.get(1));
    }

    @Test void reverseScanRunsFromTheLastStepAndKeepsTheStepOrder() {
        // The running sum again, from the right: ys[t] = x_t + ... + x_last.
        var body = new Graph();
        var row = Type.tensor(DType.F32, 2);
        var y = apply(body, "add", row, Map.of(), body.add(new Node.Input("scan.x", row), null), body.add(new Node.Input("scan.s", row), null));
        body.output(y);
        body.output(y);
        var g = new Graph();
        var xs = g.add(new Node.Input("xs", Type.tensor(DType.F32, 2, 3)), null);
        var scan = new Builder(g).apply("scan", List.of(xs, g.add(new Node.Input("h", row), null)), Map.of("axis", 1L, "body", body, "reverse", true));
        g.output(new Builder(g).project(scan, 0));
        var out = Interpreter.run(g, Map.of("xs", f32(s(2, 3), 1, 2, 3, 4, 5, 6), "h", f32(s(2), 0, 0)), Map.of(), F32);
        assertEquals(f32(s(2, 3), 6, 5, 3, 15, 11, 6), out.getFirst());
        assertEquals(List.of(), Verifier.verify(g));
    }

    @Test void dropoutInAScanBodyDrawsAFreshMaskEveryStep() {
        // The checker names the body's dropout once; each step mixes that name with the step.
        var body = new Graph();
        var row = Type.tensor(DType.F32, 64);
        var x = body.add(new Node.Input("scan.x", row), null);
        body.add(new Node.Input("scan.s", row), null);
        var dropped = apply(body, "dropout", row, Map.of("p", 0.5, "site", 0L), x);
        body.output(dropped);
        body.output(dropped);
        var g = new Graph();
        var xs = g.add(new Node.Input("xs", Type.tensor(DType.F32, 2, 64)), null);
        var scan = new Builder(g).apply("scan", List.of(xs, g.add(new Node.Input("h", row), null)), Map.of("axis", 0L, "body", body));
        g.output(new Builder(g).project(scan, 0));
        var ones = Tensor.filled(DType.F32, s(2, 64), 1);
        var ys = Interpreter.run(g, Map.of("xs", ones, "h", Tensor.filled(DType.F32, s(64), 0)), Map.of(), F32.training(3)).getFirst();
        int differ = 0;
        for (int i = 0; i < 64; i++) if (ys.at(i) != ys.at(64 + i)) differ++;
        assertTrue(differ > 10, "the two steps' masks differ in " + differ + " of 64 elements");
    }

    @Test void dropoutSitesDifferAndTheSeedRepeats() {
        var g = new Graph();
        var t = Type.tensor(DType.F32, 64);
        var x = g.add(new Node.Input("x", t), null);
        var d1 = apply(g, "dropout", t, Map.of("p", 0.5), x);
        g.output(d1);
        g.output(apply(g, "dropout", t, Map.of("p", 0.5), d1));
        var in = Map.of("x", Tensor.filled(DType.F32, s(64), 1));
        var train = F32.training(7);
        var a = Interpreter.run(g, in, Map.of(), train);
        assertEquals(a, Interpreter.run(g, in, Map.of(), train));
        assertNotEquals(a, Interpreter.run(g, in, Map.of(), F32.training(8)));
        assertNotEquals(a.get(0), a.get(1).fit(false), "the second site draws another mask");
        assertEquals(in.get("x"), Interpreter.run(g, in, Map.of(), F32).get(1), "identity when not training");
    }

    @Test void errorsNameTheProblem() {
        var g = new Graph();
        var t = Type.tensor(DType.F32, 2);
        var x = g.add(new Node.Input("x", t), null);
        g.output(apply(g, "mul", t, Map.of(), x, g.add(new Node.Const(Double.NaN, Type.tensor(DType.F32)), null)));
        var e = assertThrows(Interpreter.Error.class, () -> Interpreter.run(g, Map.of("x", f32(s(2), 1, 2)), Map.of(), F32));
        assertTrue(e.getMessage().contains("known only at run time"), e.getMessage());
        var missing = assertThrows(Interpreter.Error.class, () -> Interpreter.run(g, Map.of(), Map.of(), F32));
        assertTrue(missing.getMessage().contains("no value for input x"), missing.getMessage());
        var wrong = assertThrows(Interpreter.Error.class, () -> Interpreter.run(g, Map.of("x", f32(s(3), 1, 2, 3)), Map.of(), F32));
        assertTrue(wrong.getMessage().contains("expected f32[2], found f32[3]"), wrong.getMessage());
    }
}
