package dev.dlc.pass;

import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.Compiler;
import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Node;
import dev.dlc.ir.Verifier;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The autodiff pass on hand-built graphs and on a whole model compiled from DL. */
class AutodiffPassTest {
    static final Interpreter.Options F64 = Interpreter.Options.f64();

    private static Tensor f64(double... v) { return Tensor.of(DType.F64, new int[] {v.length}, v); }

    @Test void fanOutContributionsAdd() {
        // loss = sum(w * w + w): d/dw = 2w + 1, from three uses of w.
        var g = new Graph();
        var b = new Builder(g);
        var w = new Node.Param("w", Type.tensor(DType.F64, 3), true);
        g.add(w, null);
        var loss = b.apply("sum", List.of(b.add(b.mul(w, w), w)), Map.of());
        var r = AutodiffPass.run(g, loss, List.of(w));
        assertEquals(List.of(), Verifier.verify(r.graph()));
        var out = Interpreter.run(r.graph(), Map.of(), Map.of("w", f64(1, -2, 0.5)), F64);
        assertEquals(f64(3, -3, 2), out.get(1));
        assertEquals(r.grads().get(w), r.graph().outputs().get(1));
    }

    @Test void aParameterTheLossDoesNotUseHasGradientZero() {
        var g = new Graph();
        var b = new Builder(g);
        var w = (Node.Param) g.add(new Node.Param("w", Type.tensor(DType.F64, 2), true), null);
        var v = (Node.Param) g.add(new Node.Param("v", Type.tensor(DType.F64, 2), true), null);
        var loss = b.apply("sum", List.of(b.apply("exp", w)), Map.of());
        var r = AutodiffPass.run(g, loss, List.of(w, v));
        var out = Interpreter.run(r.graph(), Map.of(), Map.of("w", f64(0, 0), "v", f64(5, 5)), F64);
        assertEquals(List.of(Tensor.scalar(DType.F64, 2), f64(1, 1), f64(0, 0)), out);
    }

    @Test void anIntegerPathIsReportedNamingTheOp() {
        // loss = sum(f64(argmax(w))): w reaches the loss, but only through argmax.
        var g = new Graph();
        var b = new Builder(g);
        var w = (Node.Param) g.add(new Node.Param("w", Type.tensor(DType.F64, 2, 3), true), null);
        var idx = b.apply("argmax", List.of(w), Map.of());
        var loss = b.apply("sum", List.of(b.cast(idx, DType.F64)), Map.of());
        var e = assertThrows(AutodiffPass.NotDifferentiable.class, () -> AutodiffPass.run(g, loss, List.of(w)));
        assertEquals("parameter 'w' reaches the loss only through 'argmax', which has no gradient", e.getMessage());
        assertEquals("argmax", e.node.op());
    }

    @Test void aMissingRuleIsReportedNamingTheOp() {
        var g = new Graph();
        var b = new Builder(g);
        var w = (Node.Param) g.add(new Node.Param("w", Type.tensor(DType.F64, 4), true), null);
        // An op no row defines (a pass's private op, say) has no rule.
        var odd = g.add(new Node.Apply("fft", List.of(w), Map.of(), w.type()), null);
        var loss = b.apply("sum", List.of(odd), Map.of());
        var e = assertThrows(AutodiffPass.NotDifferentiable.class, () -> AutodiffPass.run(g, loss, List.of(w)));
        assertEquals("differentiation rule for 'fft' is not implemented", e.getMessage());
    }

    /** In training, the backward dropout draws the forward's mask by its stream: gradients match central differences. */
    @Test void dropoutInTrainingUsesTheForwardMask() {
        var g = new Graph();
        var b = new Builder(g);
        var w = (Node.Param) g.add(new Node.Param("w", Type.tensor(DType.F64, 64), true), null);
        var c = g.add(new Node.Input("c", Type.tensor(DType.F64, 64)), null);
        var loss = b.apply("sum", List.of(b.apply("mul", b.apply("dropout", List.of(w), Map.of("p", 0.5, "site", 3L)), c)), Map.of());
        g.output(loss);
        var r = AutodiffPass.run(g, loss, List.of(w));
        var options = Interpreter.Options.f64().training(11);
        var wv = Tensor.build(DType.F64, new int[] {64}, i -> Math.sin(i + 1));
        var cv = Tensor.build(DType.F64, new int[] {64}, i -> Math.cos(3 * i));
        var grad = Interpreter.run(r.graph(), Map.of("c", cv), Map.of("w", wv), options).get(1);
        int dropped = 0;
        for (int i = 0; i < 64; i++) {
            double numeric = FiniteDifferences.derivative(g, Map.of("c", cv), Map.of("w", wv), FiniteDifferences.Of.PARAM, "w", i, 1e-6, options);
            assertEquals(numeric, grad.at(i), 1e-6, "element " + i);
            if (grad.at(i) == 0) dropped++;
        }
        assertTrue(dropped > 10 && dropped < 54, "about half the elements are dropped, found " + dropped);
    }

    @Test void theLossMustBeAFloatScalar() {
        var g = new Graph();
        var w = (Node.Param) g.add(new Node.Param("w", Type.tensor(DType.F64, 2), true), null);
        assertThrows(IllegalArgumentException.class, () -> AutodiffPass.run(g, w, List.of(w)));
    }

    static final String MLP = """
            layer Dense(out: Int) {
                param w: f32[in, out] = zeros
                param b: f32[out] = zeros
                forward(x: f32[..., in]) -> f32[..., out] = x @ w + b
            }
            layer Mlp() {
                l1 = Dense(4)
                l2 = Dense(3)
                forward(x: f32[B, K]) {
                    let h = l2(tanh(l1(x)))
                    return sum(h * h) - mean(log_softmax(h, axis = -1))
                }
            }
            """;

    @Test void wholeModelGradientsMatchFiniteDifferences() {
        var c = Compiler.checkString("mlp.dl", MLP);
        assertTrue(c.ok(), c.diags().render());
        var job = c.checker().instantiate("Mlp", List.of(Type.tensor(DType.F32, 5, 2)), c.program().root().source().span(0, 0));
        assertNotNull(job, c.diags().render());
        assertFalse(c.diags().hasErrors(), c.diags().render());
        Graph g = c.checker().graph();
        var params = g.nodes().stream().filter(n -> n instanceof Node.Param).map(n -> (Node.Param) n).toList();
        assertEquals(List.of("l1.w", "l1.b", "l2.w", "l2.b"), params.stream().map(Node.Param::path).toList());

        var rnd = new Random(3);
        var inputs = Map.of("x", random(Type.tensor(DType.F32, 5, 2), rnd));
        var values = new HashMap<String, Tensor>();
        for (var p : params) values.put(p.path(), random(p.type(), rnd));
        var r = AutodiffPass.run(g, g.outputs().getFirst(), params);
        assertEquals(List.of(), Verifier.verify(r.graph()));
        String printed = dev.dlc.ir.Printer.print(r.graph());
        assertTrue(printed.contains("transpose %2"), "dW2 = h^T g appears in the printed backward graph:\n" + printed);
        assertFalse(printed.contains("transpose $l1.w"), "the input's own gradient (g W1^T) is pruned:\n" + printed);
        var out = Interpreter.run(r.graph(), inputs, values, F64);
        double eps = 1e-6;
        for (int i = 0; i < params.size(); i++) {
            String path = params.get(i).path();
            Tensor analytic = out.get(i + 1);
            for (int k = 0; k < analytic.numel(); k++) {
                double numeric = (lossAt(g, inputs, values, path, k, eps) - lossAt(g, inputs, values, path, k, -eps)) / (2 * eps);
                assertEquals(numeric, analytic.at(k), 1e-6 * Math.max(1, Math.abs(numeric)), path + "[" + k + "]");
            }
        }
    }

    private static Tensor random(Type.Tensor t, Random rnd) {
        return Tensor.build(t.dtype(), Tensor.shapeOf(t), _ -> rnd.nextDouble(-1, 1));
    }

    private static double lossAt(Graph g, Map<String, Tensor> inputs, Map<String, Tensor> ps, String path, int k, double dx) {
        var moved = new HashMap<>(ps);
        double[] v = ps.get(path).toArray();
        v[k] += dx;
        moved.put(path, Tensor.of(ps.get(path).dtype(), ps.get(path).shape(), v));
        return Interpreter.run(g, inputs, moved, F64).getFirst().at(0);
    }
}
