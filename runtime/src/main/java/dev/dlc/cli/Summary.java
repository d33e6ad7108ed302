package dev.dlc.cli;

import dev.dlc.check.Checker;
import dev.dlc.check.LayerInst;
import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code dlc check --summary}: one row per layer call with its output type, its parameter
 * count and its forward FLOPs (its own primitives plus its children's), then totals. FLOPs
 * that depend on a symbolic batch B are shown per sample (B = 1).
 */
final class Summary {
    private final StringBuilder out = new StringBuilder();
    private final Map<LayerInst, Boolean> counted = new IdentityHashMap<>();  // instances already shown
    private long params;

    static String of(Checker.Job job) {
        var s = new Summary();
        s.out.append(String.format("%-40s %-22s %12s %16s%n", "layer", "output", "params", "FLOPs"));
        s.row(job.call(), 0, "");
        Dim flops = total(job.call());
        boolean perSample = flops.symbols().contains("B");
        s.out.append(String.format("total: %s parameters (%s as f32), %s FLOPs %s%n",
                group(s.params), bytes(s.params * 4), group(perSampleValue(flops)), perSample ? "per sample" : "per call"));
        return s.out.toString();
    }

    private void row(Checker.CallRecord r, int depth, String name) {
        if (r == null) return;
        // A layer called twice (shared weights) shows its parameters on its first call only.
        long own = counted.containsKey(r.inst()) ? 0 : subtreeParams(r.inst());
        counted.put(r.inst(), true);
        if (depth == 0) params = own;
        String label = "  ".repeat(depth) + (name.isEmpty() ? "" : name + " ") + r.inst().typeName();
        out.append(String.format("%-40s %-22s %12s %16s%n", label, r.output() == null ? "?" : r.output().toString(),
                group(own), group(perSampleValue(total(r)))));
        for (var child : r.children()) row(child, depth + 1, child.inst().path().substring(child.inst().path().lastIndexOf('.') + 1));
    }

    /** Parameters of an instance and all its descendants, counted at the outermost row that shows them. */
    private long subtreeParams(LayerInst inst) {
        long n = Math.max(0, inst.ownParamCount());
        for (LayerInst c : inst.children()) n += subtreeParams(c);
        return n;
    }

    private static Dim total(Checker.CallRecord r) {
        Dim d = r.flops();
        for (var c : r.children()) d = d.plus(total(c));
        return d;
    }

    private static long perSampleValue(Dim d) {
        Dim one = d.subst(n -> Dim.of(1));
        return one.isConst() ? one.value() : -1;
    }

    static String group(long n) { return n < 0 ? "?" : String.format(Locale.ROOT, "%,d", n); }

    private static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }

    static String types(java.util.List<Type.Tensor> ts) { return ts.toString(); }
}
