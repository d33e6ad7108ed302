package dev.dlc.pass;

import dev.dlc.diag.Span;
import dev.dlc.ir.FusedProgram;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.Node;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints a fused program for `dlc ir --stage fused`: each kernel with its kind, iteration space,
 * what it reads and writes, its ops (named as {@link dev.dlc.ir.Printer} names them in the graph
 * printed above) and its `.dl` lines; then the memory plan (when every size is known), and with {@code explain} every edge
 * between two kernels with why it was not fused.
 */
public final class FusedPrinter {
    private FusedPrinter() {}

    public static String print(FusedProgram p, boolean explain) {
        var ids = new IdentityHashMap<Node, String>();
        number(p.graph(), ids, new int[1]);
        var out = new StringBuilder();
        kernels(p, ids, "", out, explain);
        try {
            memory(MemoryPlan.of(p), ids, out);
        } catch (MemoryPlan.Unplannable e) {
            out.append("memory: not planned: ").append(e.getMessage()).append('\n');
        }
        if (explain) unfused(p, ids, "", out);
        return out.toString();
    }

    /** The memory plan alone, as one line (for summaries). */
    public static String summary(MemoryPlan plan) {
        int n = plan.buffers().size();
        return String.format(Locale.ROOT, "%,d bytes peak (naive %,d) in %d buffer%s", plan.peak(), plan.naive(), n, n == 1 ? "" : "s");
    }

    /** Ids as {@link dev.dlc.ir.Printer} gives them: inputs by name, parameters by path, others numbered in order, bodies after their scan. */
    private static void number(Graph g, Map<Node, String> ids, int[] counter) {
        for (Node n : g.nodes()) {
            ids.put(n, switch (n) {
                case Node.Input in -> "%" + in.name();
                case Node.Param p -> "$" + p.path();
                default -> "%" + counter[0]++;
            });
            if (n instanceof Node.Apply a && a.attrs().get("body") instanceof Graph body) number(body, ids, counter);
        }
    }

    private static void kernels(FusedProgram p, Map<Node, String> ids, String indent, StringBuilder out, boolean explain) {
        long ops = p.graph().nodes().stream().filter(n -> n instanceof Node.Apply).count();
        long views = p.kernels().size() - p.computing();
        out.append(indent).append("fused: ").append(p.computing()).append(p.computing() == 1 ? " kernel" : " kernels")
                .append(views == 0 ? "" : " and " + views + (views == 1 ? " view" : " views")).append(" from ").append(ops).append(" ops\n");
        for (Kernel k : p.kernels()) {
            out.append(indent).append('k').append(k.id()).append(' ').append(k.kind().name().toLowerCase(Locale.ROOT)).append(' ')
                    .append(k.space()).append(" reads ").append(names(k.inputs(), ids)).append(" writes ").append(names(k.outputs(), ids)).append('\n');
            for (Kernel.Part part : k.parts()) {
                String in = indent + "  ";
                if (k.parts().size() > 1) {
                    out.append(in).append("part ").append(part.space()).append('\n');
                    in += "  ";
                }
                for (Node n : part.ops()) out.append(in).append(op(n, ids)).append('\n');
            }
            if (k.body() != null) {
                out.append(indent).append("  body\n");
                kernels(k.body(), ids, indent + "    ", out, explain);
                if (explain && !k.body().unfused().isEmpty()) unfused(k.body(), ids, indent + "    ", out);
            }
            if (!k.from().isEmpty())
                out.append(indent).append("  from ").append(k.from().stream().map(FusedPrinter::line).collect(Collectors.joining(", "))).append('\n');
        }
    }

    private static void memory(MemoryPlan plan, Map<Node, String> ids, StringBuilder out) {
        out.append("memory: ").append(summary(plan)).append(", ").append(MemoryPlan.ALIGN).append("-byte aligned\n");
        for (MemoryPlan.Buffer b : plan.buffers()) {
            String what = b.workspace() ? "workspace of " + ids.get(b.value()) : ids.get(b.value()) + " " + b.value().type();
            out.append(String.format(Locale.ROOT, "  @%-9d %,11d B  k%d..%s  %s%n", b.offset(), b.bytes(), b.first(),
                    b.last() == MemoryPlan.END ? "end" : "k" + b.last(), what));
        }
    }

    private static void unfused(FusedProgram p, Map<Node, String> ids, String indent, StringBuilder out) {
        out.append(indent).append(p.unfused().isEmpty() ? "not fused: nothing\n" : "not fused:\n");
        for (var u : p.unfused())
            out.append(indent).append("  ").append(ids.get(u.producer())).append(' ').append(FusionPass.opName(u.producer())).append(" -> ")
                    .append(ids.get(u.consumer())).append(' ').append(FusionPass.opName(u.consumer())).append(": ").append(u.why()).append('\n');
    }

    private static String op(Node n, Map<Node, String> ids) {
        return switch (n) {
            case Node.Apply a -> ids.get(n) + " = " + a.op() + a.args().stream().map(x -> " " + ids.get(x)).collect(Collectors.joining());
            case Node.Project pr -> ids.get(n) + " = project " + ids.get(pr.tuple()) + " " + pr.index();
            default -> ids.get(n);
        };
    }

    private static String names(List<Node> nodes, Map<Node, String> ids) {
        return nodes.isEmpty() ? "nothing" : nodes.stream().map(ids::get).collect(Collectors.joining(" "));
    }

    private static String line(Span s) {
        String path = s.source().path();
        return path.substring(path.lastIndexOf('/') + 1) + ":" + s.line();
    }
}
