package dev.dlc.cli;

import dev.dlc.check.Checker;
import dev.dlc.check.LayerInst;
import dev.dlc.types.Dim;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code dlc check --summary}: one row per layer call with its output type, its parameter
 * count and its forward FLOPs (its own primitives plus its children's), then totals. FLOPs
 * that depend on the batch B are shown per sample (B = 1); other symbolic sizes stay in
 * the formula.
 */
final class Summary {
    private record Row(String label, String output, String params, String flops) {}

    private final List<Row> rows = new ArrayList<>();
    private final Map<LayerInst, Boolean> shown = new IdentityHashMap<>();

    static String of(Checker.Job job) {
        var s = new Summary();
        s.row(job.call(), 0, "");
        long params = job.call() == null ? 0 : subtreeParams(job.call().inst());
        Dim flops = job.call() == null ? Dim.of(0) : total(job.call());
        boolean perSample = flops.symbols().contains("B");
        var out = new StringBuilder();
        int label = width(s.rows, Row::label, "layer"), output = width(s.rows, Row::output, "output");
        String format = "%-" + label + "s  %-" + output + "s  %12s  %16s%n";
        out.append(String.format(format, "layer", "output", "params", "FLOPs"));
        for (Row r : s.rows) out.append(String.format(format, r.label(), r.output(), r.params(), r.flops()));
        out.append(String.format("total: %s parameters (%s as f32), %s FLOPs %s%n",
                group(params), bytes(params * 4), flops(flops), perSample ? "per sample" : "per call"));
        return out.toString();
    }

    /**
     * The fused memory plan of a train job (see {@code FusionPass}, {@code MemoryPlan}): the arena
     * of its training step at the data set's batch, and of the inference forward at that batch,
     * each optimized and fused as a backend runs it. Computed on a fresh compilation of
     * {@code file}, so that a step that cannot be lowered says so here and adds no diagnostics
     * to the check; null when the job has no step.
     */
    static String memory(java.nio.file.Path file, String job) {
        var c = dev.dlc.Compiler.checkFile(file);
        var step = c.checker().lowerStep(job, 0);
        if (step == null || c.diags().hasErrors()) return "memory: the training step could not be lowered\n";
        int models = c.checker().jobs().get(job).data().size();
        var inputs = step.data().subList(0, models).stream().map(dev.dlc.ir.Node.Input::type).toList();
        String train = arena(step.graph());
        var forward = c.checker().instantiateJob(job, inputs, false);
        String infer = forward == null || c.diags().hasErrors() ? "not built" : arena(c.checker().graph());
        long batch = inputs.isEmpty() || inputs.getFirst().rank() == 0 ? 0 : inputs.getFirst().dim(0).value();
        return "memory at batch " + batch + " (fused, one arena): training step " + train + "; inference forward " + infer + "\n";
    }

    /** The arena of a graph optimized, fused and planned, as "peak (naive)". */
    private static String arena(dev.dlc.ir.Graph g) {
        var fused = dev.dlc.pass.FusionPass.run(dev.dlc.pass.Pipeline.checked().run(g));
        try {
            var plan = dev.dlc.pass.MemoryPlan.of(fused);
            return bytes(plan.peak()) + " peak (naive " + bytes(plan.naive()) + "), " + fused.computing() + " kernels";
        } catch (dev.dlc.pass.MemoryPlan.Unplannable e) {
            return "not planned (" + e.getMessage() + ")";
        }
    }

    private static int width(List<Row> rows, java.util.function.Function<Row, String> column, String header) {
        return Math.max(header.length(), rows.stream().mapToInt(r -> column.apply(r).length()).max().orElse(0));
    }

    private void row(Checker.CallRecord r, int depth, String name) {
        if (r == null) return;
        // A layer called twice (shared weights) shows its parameters on its first call only.
        long params = shown.containsKey(r.inst()) ? 0 : subtreeParams(r.inst());
        shown.put(r.inst(), true);
        String label = "  ".repeat(depth) + (name.isEmpty() ? "" : name + " ") + r.inst().typeName();
        rows.add(new Row(label, r.output() == null ? "?" : r.output().toString(), group(params), flops(total(r))));
        for (var child : r.children()) row(child, depth + 1, child.inst().path().substring(child.inst().path().lastIndexOf('.') + 1));
    }

    /** Parameters of an instance and all its descendants. */
    private static long subtreeParams(LayerInst inst) {
        long n = Math.max(0, inst.ownParamCount());
        for (LayerInst c : inst.children()) n += subtreeParams(c);
        return n;
    }

    private static Dim total(Checker.CallRecord r) {
        Dim d = r.flops();
        for (var c : r.children()) d = d.plus(total(c));
        return d;
    }

    /** FLOPs per sample (B = 1), grouped by thousands; a formula when other sizes are symbolic. */
    private static String flops(Dim d) {
        Dim one = d.subst(n -> n.equals("B") ? Dim.of(1) : null);
        return one.isConst() ? group(one.value()) : one.toString();
    }

    static String group(long n) { return n < 0 ? "?" : String.format(Locale.ROOT, "%,d", n); }

    private static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }
}
