package dev.dlc.cli;

import dev.dlc.Compiler;
import dev.dlc.ast.Decl;
import dev.dlc.check.Checker;
import dev.dlc.diag.Source;
import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Node;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.AutodiffPass;
import dev.dlc.pass.FiniteDifferences;
import dev.dlc.types.Type;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dlc gradcheck FILE}: for every layer and fn of a file, at small random shapes, the
 * gradient autodiff builds against central finite differences in double precision. The
 * scalar checked is the sum of the result times a fixed random cotangent, so every output
 * element counts.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = "Check every layer's and fn's gradients against finite differences (f64). Exit status 1 on a failure.")
final class GradcheckCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") Path file;

    @Option(names = "--layer", paramLabel = "NAME", description = "Check this layer or fn only.")
    String layer;

    @Option(names = "--size", defaultValue = "4", description = "Size of free dimensions other than the batch B = 2 (default: 4).")
    long size;

    @Option(names = "--tolerance", defaultValue = "1e-5", description = "Largest relative error accepted (default: 1e-5).")
    double tolerance;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private static final double EPS = 1e-6;
    private static final int ELEMENTS = 6;      // checked per parameter or input, chosen at random

    @Override public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var c = IrCommand.compileClean(file, err);
        if (c == null) return 1;
        var names = new ArrayList<String>();
        for (Decl d : c.program().root().decls())
            if (d instanceof Decl.LayerDecl || d instanceof Decl.FnDecl) names.add(((Decl.Named) d).name().name());
        if (layer != null) names.retainAll(List.of(layer));
        if (names.isEmpty()) { err.println("dlc: " + (layer == null ? "no layer or fn in " + file : "no layer or fn named '" + layer + "'")); return 1; }
        boolean ok = true;
        for (String name : names) ok &= check(c, name, out, err);
        return ok ? 0 : 1;
    }

    private boolean check(Compiler.Compilation c, String name, PrintWriter out, PrintWriter err) {
        var inputs = c.checker().sampleInputs(name, size);
        // A layer that needs config values (or has no typed forward) is built as a train job builds it.
        var trainJob = inputs == null ? trainJobOf(c, name) : null;
        if (inputs == null && trainJob == null) {
            out.println(name + ": skipped (needs config values, or an argument without a tensor type)");
            return true;
        }
        var job = trainJob != null ? c.checker().instantiateJob(trainJob.name(), smallBatch(trainJob.data()))
                : c.checker().instantiate(name, inputs, new Source("--layer", name).span(0, name.length()));
        if (job == null || c.diags().hasErrors()) {
            err.print(c.diags().render());
            return false;
        }
        Graph g = c.checker().graph();
        var b = new Builder(g);
        var rnd = new Random(42);
        var values = new HashMap<String, Tensor>();
        var params = new HashMap<String, Tensor>();
        Node loss = null;
        for (int i = 0; i < g.outputs().size(); i++) {
            Node o = g.outputs().get(i);
            if (!(o.type() instanceof Type.Tensor t) || !t.dtype().isFloat()) continue;
            var ct = g.add(new Node.Input("cotangent." + i, t), null);
            values.put("cotangent." + i, random(t, rnd));
            Node term = b.apply("sum", b.apply("mul", o, ct));
            loss = loss == null ? term : b.apply("add", loss, term);
        }
        if (loss == null) { out.println(name + ": skipped (no float result)"); return true; }
        // A layer is checked with respect to its parameters; a fn (a loss) with respect to its float arguments.
        boolean fn = job.model() == null;
        var wrt = new ArrayList<Node>();
        for (Node n : g.nodes()) {
            switch (n) {
                case Node.Input in -> {
                    if (values.containsKey(in.name())) continue;
                    values.put(in.name(), random(in.type(), rnd));
                    if (fn && in.type().dtype().isFloat()) wrt.add(in);
                }
                case Node.Param p -> { params.put(p.path(), parameter(p.type(), rnd)); if (p.trainable() && p.type().dtype().isFloat()) wrt.add(p); }
                default -> {}
            }
        }
        AutodiffPass.Result r;
        try {
            r = AutodiffPass.run(g, loss, wrt);
        } catch (AutodiffPass.NotDifferentiable e) {
            err.print(e.span == null ? "dlc: " + e.getMessage() + "\n"
                    : new dev.dlc.diag.Diagnostic(e.span, dev.dlc.diag.Diagnostic.Severity.ERROR, e.getMessage(), List.of()).render());
            return false;
        }
        // The differences need only the loss: its graph leaves out the backward nodes.
        var lossOnly = new Graph();
        for (Node n : g.nodes()) lossOnly.add(n, null);
        lossOnly.output(loss);
        try {
            var analytic = Interpreter.run(r.graph(), values, params, Interpreter.Options.f64());
            boolean ok = true;
            for (int k = 0; k < wrt.size(); k++) {
                Node n = wrt.get(k);
                boolean param = n instanceof Node.Param;
                String key = param ? ((Node.Param) n).path() : ((Node.Input) n).name();
                double worst = worstError(lossOnly, values, params, param ? FiniteDifferences.Of.PARAM : FiniteDifferences.Of.INPUT, key, analytic.get(k + 1), rnd);
                boolean pass = worst <= tolerance;
                ok &= pass;
                out.println(String.format(Locale.ROOT, "%s %s %s  max relative error %.2e  %s", name, param ? "parameter" : "argument", key, worst, pass ? "ok" : "FAILED"));
            }
            if (wrt.isEmpty()) out.println(name + ": nothing to differentiate");
            return ok;
        } catch (Interpreter.Error e) {
            err.println("dlc: " + name + ": " + e.getMessage());
            return false;
        }
    }

    /** A train job whose model is the layer {@code name}, with concrete data types once the batch is B = 2. */
    private static Checker.Job trainJobOf(Compiler.Compilation c, String name) {
        return c.checker().jobs().values().stream()
                .filter(j -> j.model().typeName().equals(name) && smallBatch(j.data()).stream().allMatch(t -> t.shape().isConcrete()))
                .findFirst().orElse(null);
    }

    private static List<Type.Tensor> smallBatch(List<Type.Tensor> data) {
        return data.stream().map(t -> t.withShape(dev.dlc.types.Shape.of(
                t.shape().dims().stream().map(d -> d.subst(n -> n.equals("B") ? dev.dlc.types.Dim.of(2) : null)).toList()))).toList();
    }

    /** Central differences on a few random elements of one value, against the analytic gradient. */
    private static double worstError(Graph g, Map<String, Tensor> values, Map<String, Tensor> params,
                                     FiniteDifferences.Of of, String key, Tensor grad, Random rnd) {
        Tensor x = (of == FiniteDifferences.Of.PARAM ? params : values).get(key);
        double worst = 0;
        for (int k = 0; k < Math.min(ELEMENTS, x.numel()); k++) {
            int at = rnd.nextInt(x.numel());
            double numeric = FiniteDifferences.derivative(g, values, params, of, key, at, EPS, Interpreter.Options.f64());
            worst = Math.max(worst, FiniteDifferences.relativeError(grad.at(at), numeric));
        }
        return worst;
    }

    /**
     * A parameter's values: {@link #random}, scaled by 1/sqrt of the largest dimension when it has
     * two or more, as initializers scale weights. Products of weights (a recurrence over many
     * steps, deep stacks) then stay of order one: with values in [-1, 1), a recurrence 64 wide
     * over 35 steps already has gradients near 1e6, which central differences cannot resolve.
     */
    private static Tensor parameter(Type.Tensor t, Random rnd) {
        Tensor x = random(t, rnd);
        int[] shape = x.shape();
        if (shape.length < 2 || !t.dtype().isFloat()) return x;
        double scale = 1 / Math.sqrt(java.util.Arrays.stream(shape).max().orElse(1));
        return Tensor.build(t.dtype(), shape, i -> x.at(i) * scale);
    }

    /** Random values of a type: floats in [-1, 1), integers 0 or 1 (valid ids and labels), random bools. */
    private static Tensor random(Type.Tensor t, Random rnd) {
        int[] shape = Tensor.shapeOf(t);
        return Tensor.build(t.dtype(), shape, _ -> t.dtype().isFloat() ? rnd.nextDouble() * 2 - 1 : rnd.nextInt(2));
    }
}
