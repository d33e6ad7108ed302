package dev.dlc.cli;

import dev.dlc.Compiler;
import dev.dlc.ast.Decl;
import dev.dlc.check.Checker;
import dev.dlc.check.TrainStep;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Source;
import dev.dlc.diag.Span;
import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Node;
import dev.dlc.ir.Printer;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.AutodiffPass;
import dev.dlc.pass.DeadCodePass;
import dev.dlc.pass.FiniteDifferences;
import dev.dlc.train.Initializers;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dlc gradcheck FILE}: the gradients autodiff builds against central finite differences
 * in double precision, for
 * <ul>
 *   <li>every layer (w.r.t. its parameters and its float inputs), in inference mode and, when
 *       its forward differs there (dropout, batch norm), in training mode too;</li>
 *   <li>every fn, such as a loss (w.r.t. its float arguments);</li>
 *   <li>every train job: its loss (model, loss, regularizer, training mode) w.r.t. every
 *       parameter, with the gradients the training step itself uses.</li>
 * </ul>
 * A layer or fn's scalar is the sum of its result times a fixed random cotangent, so every
 * output element counts. Each value is checked along a random direction (all its elements at
 * once) and at a few random elements.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = "Check the gradients of every layer, fn and train job against finite differences (f64). Exit status 1 on a failure.")
final class GradcheckCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") Path file;

    @Option(names = "--layer", paramLabel = "NAME", description = "Check this layer, fn or train job only.")
    String layer;

    @Option(names = "--size", defaultValue = "4", description = "Size of free dimensions other than the batch B = 2 (default: 4).")
    long size;

    @Option(names = "--tolerance", defaultValue = "1e-5", description = "Largest relative error accepted (default: 1e-5).")
    double tolerance;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private static final double EPS = 1e-6;
    private static final int ELEMENTS = 3;      // checked one by one per value, chosen at random, besides the direction
    private static final List<Long> IMAGE = List.of(16L, 32L, 64L, 96L, 128L);   // image sides tried, when smaller than the data's
    private static final int DIRECTION = 32;    // elements a random direction moves at once
    private static final double BUDGET = 4e9;   // operations per target above which elements are not checked one by one

    private PrintWriter out, err;
    private Compiler.Compilation c;

    /** One check: a graph whose first output is a scalar loss, the values to differentiate it by, and a run's values. */
    private record Target(String label, Graph graph, Node loss, List<Node> wrt, Map<Node, Node> grads,
                          Map<String, Tensor> inputs, Map<String, Tensor> params, Interpreter.Options options, Span decl, boolean fn) {}

    /** A declaration with nothing to check (no float result): not a failure. */
    private static final Target SKIPPED = new Target("", null, null, List.of(), null, Map.of(), Map.of(), null, null, true);

    @Override public Integer call() {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        c = IrCommand.compileClean(file, err);
        if (c == null) return 1;
        var names = new ArrayList<String>();
        for (Decl d : c.program().root().decls())
            if (d instanceof Decl.LayerDecl || d instanceof Decl.FnDecl) names.add(((Decl.Named) d).name().name());
        var jobs = new ArrayList<>(c.checker().jobs().keySet());
        if (layer != null) {
            names.retainAll(List.of(layer));
            jobs.retainAll(List.of(layer));
        }
        if (names.isEmpty() && jobs.isEmpty()) {
            err.println("dlc: " + (layer == null ? "no layer, fn or train job in " + file : "no layer, fn or train job named '" + layer + "'"));
            return 1;
        }
        boolean ok = true;
        for (String name : names) ok &= checkDecl(name);
        for (String job : jobs) ok &= checkJob(job);
        return ok ? 0 : 1;
    }

    // ================================================================== what is checked

    /** A layer or fn at sample inputs: inference mode, and training mode when the forward differs there. */
    private boolean checkDecl(String name) {
        var sampled = grown(name);
        // A layer that needs config values (or has no typed forward) is built as its train job builds it.
        var job = sampled.isEmpty() ? trainJobOf(name) : null;
        if (sampled.isEmpty() && job == null) {
            out.println(name + ": skipped (needs config values, or an argument without a tensor type)");
            return true;
        }
        String via = job == null ? null : job.name();
        // The smallest inputs that work: sampled sizes from --size up (a dilated kernel needs
        // room), a model on its train job's images at smaller images first.
        var candidates = via == null ? sampled : shrinking(smallBatch(job.data(), 2));
        var first = firstThatWorks(candidates, s -> target(name, via, s, false, false));
        var small = first.inputs();
        if (via == null && first.result() != null && small != sampled.getFirst())
            out.println(name + ": checked on " + small + " (at --size " + size + " its shapes do not fit)");
        Target inference = first.result() != null ? first.result() : target(name, via, small, false, true);
        if (inference == null) return false;
        if (inference == SKIPPED) return true;
        boolean ok = check(inference);
        if (isLayer(name)) {
            var training = target(name, via, small, true, true);
            if (training == null) return false;
            if (training == SKIPPED) return ok;
            // Training mode differs where the graph does (batch norm's batch statistics) or where dropout drops.
            boolean drops = training.graph().nodes().stream().anyMatch(n -> n instanceof Node.Apply a && a.op().equals("dropout"));
            if (drops || !Printer.print(training.graph()).equals(Printer.print(inference.graph())))
                ok &= check(wellConditioned(training.label(), training, Target::graph, b -> target(name, via, batched(small, b), true, false)));
        }
        return ok;
    }

    /** The sampled inputs of a layer or fn with free dimensions of --size, then twice, 4 and 8 times that; empty when it cannot be sampled. */
    private List<List<Type.Tensor>> grown(String name) {
        var out = new ArrayList<List<Type.Tensor>>();
        for (long s = size, k = 0; k < 4; s *= 2, k++) {
            var inputs = c.checker().sampleInputs(name, s);
            if (inputs == null) break;
            if (!out.contains(inputs)) out.add(inputs);
        }
        return out;
    }

    private boolean isLayer(String name) {
        return c.program().root().decls().stream().anyMatch(d -> d instanceof Decl.LayerDecl l && l.name().name().equals(name));
    }

    /**
     * The layer or fn applied to {@code inputs} (built as train job {@code via} builds it, when
     * given), its results reduced against random cotangents; null when it cannot be applied
     * (after printing why, if {@code report}).
     */
    private Target target(String name, String via, List<Type.Tensor> inputs, boolean training, boolean report) {
        var job = via != null ? c.checker().instantiateJob(via, inputs, training)
                : c.checker().instantiate(name, inputs, new Source("--layer", name).span(0, name.length()), training);
        if (job == null || c.diags().hasErrors()) {
            if (report) {
                err.print(c.diags().render());
                c = Compiler.checkFile(file);     // the next declaration's report shows its own errors only
            }
            return null;
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
        if (loss == null) { out.println(name + ": skipped (no float result)"); return SKIPPED; }
        var wrt = new ArrayList<Node>();
        for (Node n : g.nodes()) {
            switch (n) {
                case Node.Input in when !values.containsKey(in.name()) -> {
                    values.put(in.name(), random(in.type(), rnd));
                    if (in.type().dtype().isFloat()) wrt.add(in);
                }
                case Node.Param p -> {
                    // Buffers (batch norm's running statistics) hold what they start as: a random
                    // running variance could be negative, which no model ever sees.
                    params.put(p.path(), p.trainable() ? parameter(p.type(), rnd)
                            : Initializers.initial(c.checker().initializerOf(p), p.type(), p.path(), 0).fit(true));
                    if (p.trainable() && p.type().dtype().isFloat()) wrt.add(p);
                }
                default -> {}
            }
        }
        var options = training ? Interpreter.Options.f64().training(7) : Interpreter.Options.f64();
        var decl = c.program().root().decls().stream().filter(d -> d instanceof Decl.Named n && n.name().name().equals(name))
                .map(d -> ((Decl.Named) d).name().span()).findFirst().orElse(null);
        return new Target(name + (training ? " [training]" : ""), g, loss, wrt, null, values, params, options, decl, job.model() == null);
    }

    /**
     * A train job's loss at a batch of 2, in training mode, against the gradients of its own
     * step program. Parameters and buffers start from their initializers; the data is random
     * (labels 0 or 1, valid class ids).
     */
    private boolean checkJob(String name) {
        // Smaller images first, as for layers; the job's data are the model's inputs (no labels).
        var first = firstThatWorks(shrinking(smallBatch(c.checker().jobs().get(name).data(), 2)), s -> lowered(name, 2, s));
        TrainStep step = first.result() != null ? first.result() : c.checker().lowerStep(name, 2);
        if (step == null || c.diags().hasErrors()) {
            err.print(c.diags().render());
            c = Compiler.checkFile(file);
            return false;
        }
        var small = first.inputs();
        step = wellConditioned("train " + name, step, TrainStep::graph, b -> lowered(name, b, batched(small, b)));
        var rnd = new Random(42);
        var inputs = new HashMap<String, Tensor>();
        for (var in : step.data()) inputs.put(in.name(), random(in.type(), rnd));
        // Float labels in [0, 1): what regression targets, probabilities and prices (log_rmse) allow.
        var y = step.data().getLast();
        if (y.type().dtype().isFloat()) inputs.put(y.name(), Tensor.build(y.type().dtype(), Tensor.shapeOf(y.type()), _ -> rnd.nextDouble()));
        var params = new HashMap<String, Tensor>();
        var wrt = new ArrayList<Node>();
        var grads = new HashMap<Node, Node>();
        for (var slot : step.slots()) {
            params.put(slot.path(), Initializers.initial(slot.init(), slot.node().type(), slot.path(), 0).fit(true));
            var grad = step.gradients().get(slot.path());
            if (grad != null) { wrt.add(slot.node()); grads.put(slot.node(), grad); }
        }
        var options = Interpreter.Options.f64().training(7);
        return check(new Target("train " + name, step.graph(), step.loss(), wrt, grads, inputs, params, options, step.at(), false));
    }

    /** The job's step at a batch and model input types, or null (its diagnostics stay in {@code c}). */
    private TrainStep lowered(String job, long batch, List<Type.Tensor> inputs) {
        var step = c.checker().lowerStep(job, batch, inputs);
        return step != null && !c.diags().hasErrors() ? step : null;
    }

    // ================================================================== conditioning

    /** Fewest values a batch statistic may be over: below it, the loss is too flat for differences. */
    static final long MIN_STATISTIC_VALUES = 4;

    /**
     * {@code built}, or the same built at a larger batch when batch statistics are over fewer
     * than {@link #MIN_STATISTIC_VALUES} values. Batch norm over 2 values (batch 2, 1x1 maps
     * deep in a ResNet) gives ±gamma whatever its inputs: the loss is nearly flat in everything
     * before it and bends sharply where two values meet, so central differences measure noise
     * (relative errors near 1 with a correct gradient). Said in the output.
     */
    private <T> T wellConditioned(String label, T built, java.util.function.Function<T, Graph> graph, java.util.function.IntFunction<T> atBatch) {
        long values = fewestBatchStatisticValues(graph.apply(built));
        if (values >= MIN_STATISTIC_VALUES) return built;
        int batch = (int) Math.max(2, Math.ceilDiv(2 * MIN_STATISTIC_VALUES, values));
        T again = atBatch.apply(batch);
        long more = again == null ? values : fewestBatchStatisticValues(graph.apply(again));
        if (again == null) c = Compiler.checkFile(file);
        if (more <= values) {
            out.println(label + ": batch norm statistics over " + values + " value" + (values == 1 ? "" : "s")
                    + " make the loss too flat for finite differences, and a larger batch does not change that; checked as it is");
            return built;
        }
        out.println(label + ": batch norm statistics over " + values + " values (batch 2) make the loss too flat for finite differences; "
                + "checking at batch " + batch + ", where they are over " + more);
        return again;
    }

    /**
     * The fewest values any batch statistic of {@code g} is over: a mean that reduces the batch
     * axis and feeds a sqrt or rsqrt within a few ops (batch norm's variance); MAX_VALUE when
     * {@code g} has none (inference mode reads running statistics).
     */
    static long fewestBatchStatisticValues(Graph g) {
        long fewest = Long.MAX_VALUE;
        for (Node n : g.nodes()) {
            if (!(n instanceof Node.Apply a) || !(a.op().equals("rsqrt") || a.op().equals("sqrt"))) continue;
            fewest = Math.min(fewest, statisticBelow(a, 3));
        }
        return fewest;
    }

    /** The values of the batch mean nearest below {@code n}, within {@code depth} ops; MAX_VALUE when none. */
    private static long statisticBelow(Node n, int depth) {
        if (!(n instanceof Node.Apply a) || depth < 0) return Long.MAX_VALUE;
        if (a.op().equals("mean") && reducesBatchAxis(a)) return numel(a.args().getFirst().type()) / Math.max(1, numel(a.type()));
        long fewest = Long.MAX_VALUE;
        for (Node arg : a.args()) fewest = Math.min(fewest, statisticBelow(arg, depth - 1));
        return fewest;
    }

    private static boolean reducesBatchAxis(Node.Apply mean) {
        int rank = ((Type.Tensor) mean.args().getFirst().type()).rank();
        return switch (mean.attrs().get("axis")) {
            case null -> true;                                    // every axis
            case Number axis -> Math.floorMod(axis.intValue(), rank) == 0;
            case List<?> axes -> axes.stream().anyMatch(x -> x instanceof Number axis && Math.floorMod(axis.intValue(), rank) == 0);
            default -> false;
        };
    }

    /** The inputs at batch {@code b}: the batch is the leading 2 that sampling and {@link #smallBatch} give. */
    private static List<Type.Tensor> batched(List<Type.Tensor> inputs, long b) {
        return inputs.stream().map(t -> {
            if (t.rank() == 0 || !t.dim(0).equals(Dim.of(2))) return t;
            var dims = new ArrayList<>(t.shape().dims());
            dims.set(0, Dim.of(b));
            return t.withShape(Shape.of(dims));
        }).toList();
    }

    // ================================================================== the check

    /** Analytic gradients against central differences; prints one line per value, true when all pass. */
    private boolean check(Target t) {
        t = withoutIntegerOnlyInputs(t);
        Graph analytic;
        try {
            analytic = t.grads() != null ? withOutputs(t.graph(), t.loss(), t.wrt().stream().map(t.grads()::get).toList())
                    : AutodiffPass.run(t.graph(), t.loss(), t.wrt()).graph();
        } catch (AutodiffPass.NotDifferentiable e) {
            // A fn whose arguments reach its result only through ops without a gradient is a
            // metric (accuracy), not a loss: said, not failed. A layer or a train job must train.
            if (t.fn()) {
                out.println(t.label() + ": not differentiable (" + e.getMessage() + "); not checked");
                return true;
            }
            report(e, t);
            return false;
        }
        // Differences need only the forward: the loss alone, without the backward nodes.
        Graph forward = withOutputs(t.graph(), t.loss(), List.of());
        var rnd = new Random(43);
        try {
            // A large model (AlexNet at 96x96) is checked along its direction only: each element
            // costs two more runs of the whole forward. The cost is counted, not timed, so the
            // output does not depend on the machine.
            long cost = cost(forward);
            int elements = (double) cost * 2 * (1 + ELEMENTS) * t.wrt().size() <= BUDGET ? ELEMENTS : 0;
            if (elements == 0) out.println(String.format(Locale.ROOT, "%s: %,d multiply-adds per run; checking along a random direction only", t.label(), cost));
            var grads = Interpreter.run(analytic, t.inputs(), t.params(), t.options());
            boolean ok = true;
            for (int k = 0; k < t.wrt().size(); k++) {
                Node n = t.wrt().get(k);
                boolean param = n instanceof Node.Param;
                String key = param ? ((Node.Param) n).path() : ((Node.Input) n).name();
                double worst = worstError(forward, t, param ? FiniteDifferences.Of.PARAM : FiniteDifferences.Of.INPUT, key, grads.get(k + 1), elements, rnd);
                boolean pass = worst <= tolerance;
                ok &= pass;
                out.println(String.format(Locale.ROOT, "%s %s %s  max relative error %.2e  %s", t.label(),
                        param ? "parameter" : "input", key, worst, pass ? "ok" : "FAILED"));
            }
            if (t.wrt().isEmpty()) out.println(t.label() + ": nothing to differentiate");
            return ok;
        } catch (Interpreter.Error e) {
            err.println("dlc: " + t.label() + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * {@code t} without the inputs that reach its result only through integer or bool values
     * (token ids made from a float input, lengths counted from them): such an input has no
     * gradient to check, which is said, not failed. A parameter so used still fails; so does
     * a layer with nothing left, and a fn with nothing left is a metric (said by {@link #check}).
     */
    private Target withoutIntegerOnlyInputs(Target t) {
        var dropped = t.wrt().stream().filter(n -> n instanceof Node.Input in && !reachesThroughFloats(t.graph(), in, t.loss())).toList();
        if (dropped.isEmpty() || dropped.size() == t.wrt().size()) return t;
        for (Node n : dropped)
            out.println(t.label() + " input " + ((Node.Input) n).name() + "  no gradient: it reaches the result only through integer or bool values; not checked");
        var kept = t.wrt().stream().filter(n -> !dropped.contains(n)).toList();
        return new Target(t.label(), t.graph(), t.loss(), kept, t.grads(), t.inputs(), t.params(), t.options(), t.decl(), t.fn());
    }

    /** Whether {@code to} depends on {@code from} along a path of float values only. */
    private static boolean reachesThroughFloats(Graph g, Node from, Node to) {
        Set<Node> reached = Collections.newSetFromMap(new IdentityHashMap<>());
        reached.add(from);
        for (Node n : g.nodes()) {
            boolean fed = switch (n) {
                case Node.Apply a -> a.args().stream().anyMatch(reached::contains);
                case Node.Project p -> reached.contains(p.tuple());
                default -> false;
            };
            if (fed && isFloat(n.type())) reached.add(n);
        }
        return reached.contains(to);
    }

    private static boolean isFloat(Type t) {
        return switch (t) {
            case Type.Tensor x -> x.dtype().isFloat();
            case Type.Tuple tu -> tu.parts().stream().allMatch(GradcheckCommand::isFloat);
            default -> false;
        };
    }

    /**
     * Roughly the scalar operations of one run: every result element once, times the
     * contraction length for matmul and conv2d, a scan's body once per step.
     */
    static long cost(Graph g) {
        long total = 0;
        for (Node n : g.nodes()) {
            if (!(n instanceof Node.Apply a)) continue;
            long out = numel(a.type());
            total += switch (a.op()) {
                case "matmul" -> out * lastDim(a.args().getFirst());
                case "conv2d" -> out * numel(a.args().get(1).type()) / Math.max(1, dim(a.args().get(1), 0));
                case "scan" -> cost((Graph) a.attrs().get("body")) * dim(a.args().getFirst(), Math.toIntExact((Long) a.attrs().get("axis")));
                default -> out;
            };
        }
        return total;
    }

    private static long numel(Type t) {
        return switch (t) {
            case Type.Tensor x -> x.shape().numel().isConst() ? x.shape().numel().value() : 1;
            case Type.Tuple tu -> tu.parts().stream().mapToLong(GradcheckCommand::numel).sum();
            default -> 1;
        };
    }

    private static long dim(Node n, int axis) {
        var t = (Type.Tensor) n.type();
        return t.rank() > axis && t.dim(axis).isConst() ? t.dim(axis).value() : 1;
    }

    private static long lastDim(Node n) { return dim(n, ((Type.Tensor) n.type()).rank() - 1); }

    /** The nodes of {@code g} that {@code loss} and {@code more} need, with those as the outputs. */
    private static Graph withOutputs(Graph g, Node loss, List<Node> more) {
        var outputs = new ArrayList<Node>();
        outputs.add(loss);
        outputs.addAll(more);
        return DeadCodePass.run(g.withOutputs(outputs));
    }

    /** The worst relative error along a random direction and at a few random elements. */
    private static double worstError(Graph forward, Target t, FiniteDifferences.Of of, String key, Tensor grad, int elements, Random rnd) {
        Tensor x = (of == FiniteDifferences.Of.PARAM ? t.params() : t.inputs()).get(key);
        // A direction over a few random elements: moving every element of a large tensor at once
        // crosses some ReLU and max-pool kinks, which spoils the difference, not the gradient.
        var picked = new java.util.HashSet<Integer>();
        while (picked.size() < Math.min(DIRECTION, x.numel())) picked.add(rnd.nextInt(x.numel()));
        var dir = Tensor.build(x.dtype(), x.shape(), i -> picked.contains(i) ? rnd.nextDouble() * 2 - 1 : 0);
        double along = 0;
        for (int i = 0; i < x.numel(); i++) along += grad.at(i) * dir.at(i);
        double worst = settled(along, eps -> FiniteDifferences.directional(forward, t.inputs(), t.params(), of, key, dir, eps, t.options()));
        for (int k = 0; k < Math.min(elements, x.numel()); k++) {
            int at = rnd.nextInt(x.numel());
            worst = Math.max(worst, settled(grad.at(at), eps -> FiniteDifferences.derivative(forward, t.inputs(), t.params(), of, key, at, eps, t.options())));
        }
        return worst;
    }

    /**
     * The error of a difference at {@link #EPS}, or at a tenth of it when that agrees better: a
     * ReLU or max kink within eps of the point spoils one step size and not the next, while a
     * wrong gradient is wrong at every step size.
     */
    private static double settled(double analytic, java.util.function.DoubleUnaryOperator difference) {
        double first = FiniteDifferences.relativeError(analytic, difference.applyAsDouble(EPS));
        if (first <= 1e-7) return first;
        return Math.min(first, FiniteDifferences.relativeError(analytic, difference.applyAsDouble(EPS / 10)));
    }

    /** A gradient that cannot be taken, at the op; an op inside the stdlib is reported at the declaration checked. */
    private void report(AutodiffPass.NotDifferentiable e, Target t) {
        if (e.span == null) {
            err.println("dlc: " + t.label() + ": " + e.getMessage());
            return;
        }
        var notes = new ArrayList<Diagnostic.Note>();
        Span where = e.span;
        if (t.decl() != null && e.span.source() != t.decl().source()) {
            notes.add(Diagnostics.note(e.span, "inside " + e.span.source().path() + ", used here"));
            where = t.decl();
        }
        err.print(new Diagnostic(where, Diagnostic.Severity.ERROR, e.getMessage(), notes).render());
    }

    // ================================================================== sample values

    /** A train job whose model is the layer {@code name}, with concrete data types once the batch is B = 2. */
    private Checker.Job trainJobOf(String name) {
        return c.checker().jobs().values().stream()
                .filter(j -> j.model().typeName().equals(name) && smallBatch(j.data(), 2).stream().allMatch(t -> t.shape().isConcrete()))
                .findFirst().orElse(null);
    }

    private static List<Type.Tensor> smallBatch(List<Type.Tensor> data, long batch) {
        return data.stream().map(t -> t.withShape(Shape.of(
                t.shape().dims().stream().map(d -> d.subst(n -> n.equals("B") ? Dim.of(batch) : null)).toList()))).toList();
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

    /** What an attempt at some inputs gave (null: it failed), and those inputs. */
    private record Attempt<T>(List<Type.Tensor> inputs, T result) {}

    /**
     * {@code attempt} at each of {@code candidates} in turn, the first that succeeds; a failed
     * attempt's diagnostics (a shape that does not fit a size tried) are dropped with the
     * compilation, which a fresh one replaces. No success: the last candidate, whose
     * diagnostics are the real ones, and no result.
     */
    private <T> Attempt<T> firstThatWorks(List<List<Type.Tensor>> candidates, java.util.function.Function<List<Type.Tensor>, T> attempt) {
        for (var inputs : candidates) {
            T result = attempt.apply(inputs);
            if (result != null) return new Attempt<>(inputs, result);
            c = Compiler.checkFile(file);
        }
        return new Attempt<>(candidates.getLast(), null);
    }

    /** The inputs with their images shrunk to each of {@link #IMAGE} smaller than theirs, then as they are. */
    private static List<List<Type.Tensor>> shrinking(List<Type.Tensor> inputs) {
        var out = new ArrayList<List<Type.Tensor>>();
        for (long side : IMAGE) {
            var small = shrunk(inputs, side);
            if (small == inputs) break;
            out.add(small);
        }
        out.add(inputs);
        return out;
    }

    /** Images ([B, C, H, W]) with sides above {@code side} made that size: the differences run the model many times. */
    private static List<Type.Tensor> shrunk(List<Type.Tensor> inputs, long side) {
        var out = new ArrayList<Type.Tensor>();
        for (var t : inputs) {
            if (t.rank() != 4 || !t.dtype().isFloat()) { out.add(t); continue; }
            var dims = new ArrayList<>(t.shape().dims());
            for (int i = 2; i < 4; i++) if (dims.get(i).value() > side) dims.set(i, Dim.of(side));
            out.add(t.withShape(Shape.of(dims)));
        }
        return out.equals(inputs) ? inputs : out;
    }

    /** Random values of a type: floats in [-1, 1), integers 0 or 1 (valid ids and labels), random bools. */
    private static Tensor random(Type.Tensor t, Random rnd) {
        int[] shape = Tensor.shapeOf(t);
        return Tensor.build(t.dtype(), shape, _ -> t.dtype().isFloat() ? rnd.nextDouble() * 2 - 1 : rnd.nextInt(2));
    }
}
