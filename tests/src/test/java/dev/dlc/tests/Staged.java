package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.Compiler;
import dev.dlc.diag.Source;
import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Node;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.AutodiffPass;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Graphs of `.dl` files at the stages `dlc ir` prints (typed, grad), and the interpreter as
 * the oracle a pass must agree with: same outputs before and after, on random inputs.
 */
final class Staged {
    private Staged() {}

    /** The graph of {@code file} for `dlc ir` arguments {@code --layer L --input T... [--stage typed|grad]}. */
    static Graph of(Path file, List<String> args) {
        String layer = null, stage = "typed";
        var inputs = new ArrayList<Type.Tensor>();
        for (int i = 0; i < args.size(); i += 2) {
            switch (args.get(i)) {
                case "--layer" -> layer = args.get(i + 1);
                case "--input" -> inputs.add(type(args.get(i + 1)));
                case "--stage" -> stage = args.get(i + 1);
                default -> throw new IllegalArgumentException("unknown argument " + args.get(i));
            }
        }
        var c = Compiler.checkFile(file);
        assertTrue(c.ok(), c.diags().render());
        var job = c.checker().instantiate(layer, inputs, new Source("--layer", layer).span(0, layer.length()));
        assertTrue(job != null && !c.diags().hasErrors(), c.diags().render());
        var g = c.checker().graph();
        return stage.equals("grad") ? gradient(g) : g;
    }

    /** The grad stage: the forward, then d sum(result) / d every trainable parameter (as `dlc ir --stage grad`). */
    static Graph gradient(Graph g) {
        var loss = new Builder(g).apply("sum", g.outputs().getFirst());
        var params = g.nodes().stream().filter(n -> n instanceof Node.Param p && p.trainable()).toList();
        return AutodiffPass.run(g, loss, params).graph();
    }

    /** {@code f32[2,3]}. */
    static Type.Tensor type(String s) {
        int open = s.indexOf('[');
        var dtype = DType.parse(s.substring(0, open)).orElseThrow();
        String inner = s.substring(open + 1, s.length() - 1).trim();
        long[] dims = inner.isEmpty() ? new long[0] : Arrays.stream(inner.split(",")).mapToLong(d -> Long.parseLong(d.trim())).toArray();
        return Type.tensor(dtype, dims);
    }

    /** Why the interpreter cannot run {@code g} (quickly), or null when it can. */
    static String notInterpretable(Graph g) { return notInterpretable(g, 6e7); }

    /** As above, with the largest estimated number of operations worth running. */
    static String notInterpretable(Graph g, double budget) {
        double[] cost = {0};
        String why = scan(g, 1, cost);
        if (why == null && cost[0] > budget) why = "too large to interpret in a test (about " + (long) cost[0] + " operations)";
        return why;
    }

    private static String scan(Graph g, long times, double[] cost) {
        for (Node n : g.nodes()) {
            if (n instanceof Node.Const c && Double.isNaN(c.value())) return "a constant known only at run time (Const NaN)";
            if (n.type() instanceof Type.Tensor t && !t.shape().isConcrete()) return "symbolic shape " + t;
            if (n instanceof Node.Apply a) {
                if (a.attrs().get("body") instanceof Graph body) {
                    var xs = (Type.Tensor) a.args().getFirst().type();
                    String why = scan(body, times * xs.dim(Math.toIntExact((Long) a.attrs().get("axis"))).value(), cost);
                    if (why != null) return why;
                    continue;
                }
                if (!(a.type() instanceof Type.Tensor t)) continue;
                double work = Tensor.numel(Tensor.shapeOf(t));
                if (a.op().equals("matmul")) work *= ((Type.Tensor) a.args().getFirst().type()).dim(((Type.Tensor) a.args().getFirst().type()).rank() - 1).value();
                if (a.op().equals("conv2d")) work *= Tensor.numel(Tensor.shapeOf((Type.Tensor) a.args().get(1).type())) / (double) ((Type.Tensor) a.args().get(1).type()).dim(0).value();
                for (Node arg : a.args()) if (arg.type() instanceof Type.Tensor at && at.shape().isConcrete()) work += Tensor.numel(Tensor.shapeOf(at));
                cost[0] += work * times;
            }
        }
        return null;
    }

    /** Random values for the inputs and parameters of {@code g} (bodies' placeholders excluded): floats in [-1, 1), integers 0 or 1. */
    static Map<String, Map<String, Tensor>> randomValues(Graph g, long seed) {
        var rnd = new Random(seed);
        var inputs = new HashMap<String, Tensor>();
        var params = new HashMap<String, Tensor>();
        collect(g, rnd, inputs, params);
        return Map.of("inputs", inputs, "params", params);
    }

    private static void collect(Graph g, Random rnd, Map<String, Tensor> inputs, Map<String, Tensor> params) {
        for (Node n : g.nodes()) {
            switch (n) {
                case Node.Input in when !in.name().startsWith("scan.") -> inputs.computeIfAbsent(in.name(), _ -> random(in.type(), rnd));
                case Node.Param p -> params.computeIfAbsent(p.path(), _ -> random(p.type(), rnd));
                case Node.Apply a when a.attrs().get("body") instanceof Graph body -> collect(body, rnd, inputs, params);
                default -> {}
            }
        }
    }

    private static Tensor random(Type.Tensor t, Random rnd) {
        return Tensor.build(t.dtype(), Tensor.shapeOf(t), _ -> t.dtype().isFloat() ? rnd.nextDouble() * 2 - 1 : rnd.nextInt(2));
    }

    /** The interpreter (f64) gives {@code after} the outputs it gives {@code before}, on two sets of random inputs. */
    static void assertSameOutputs(Graph before, Graph after, String what) { assertSameOutputs(before, after, what, null); }

    /** As above; {@code given} (when not null) are the values to run with instead of random ones. */
    static void assertSameOutputs(Graph before, Graph after, String what, Map<String, Map<String, Tensor>> given) {
        for (long seed = 1; seed <= (given == null ? 2 : 1); seed++) {
            var values = given != null ? given : randomValues(before, seed);
            var expected = Interpreter.run(before, values.get("inputs"), values.get("params"), Interpreter.Options.f64());
            var actual = Interpreter.run(after, values.get("inputs"), values.get("params"), Interpreter.Options.f64());
            assertEquals(expected.size(), actual.size(), what + ": number of outputs");
            for (int i = 0; i < expected.size(); i++) {
                Tensor e = expected.get(i), a = actual.get(i);
                assertEquals(e.type(), a.type(), what + ": type of output " + i);
                for (int k = 0; k < e.numel(); k++) {
                    double x = e.at(k), y = a.at(k);
                    boolean close = Double.compare(x, y) == 0 || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.max(Math.abs(x), Math.abs(y)));
                    assertTrue(close, what + ": output " + i + " element " + k + ": before " + x + ", after " + y);
                }
            }
        }
    }
}
