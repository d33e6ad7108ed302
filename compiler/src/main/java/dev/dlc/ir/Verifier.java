package dev.dlc.ir;

import dev.dlc.ops.OpTable;
import dev.dlc.ops.ShapeError;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Checks that a graph is well formed: every argument is defined before it is used, and
 * every node's recorded type is what the op table infers from its arguments and
 * attributes. Run after every pass in the tests; a failure names the node and shows the
 * nodes around it.
 */
public final class Verifier {
    private Verifier() {}

    /** The problems found; empty when the graph is well formed. */
    public static List<String> verify(Graph g) {
        var problems = new ArrayList<String>();
        verify(g, Collections.newSetFromMap(new IdentityHashMap<>()), problems);
        return problems;
    }

    private static void verify(Graph g, Set<Node> defined, List<String> problems) {
        var nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String problem = check(n, defined, problems);
            if (problem != null) problems.add(problem + "\n" + around(g, i));
            defined.add(n);
        }
        for (Node out : g.outputs()) if (!defined.contains(out)) problems.add("an output is not a node of the graph: " + out.type());
    }

    private static String check(Node n, Set<Node> defined, List<String> problems) {
        return switch (n) {
            case Node.Input in -> null;
            case Node.Param p -> null;
            case Node.Const c -> c.type().rank() == 0 ? null : "a constant must be a scalar, found " + c.type();
            case Node.Project p -> {
                if (!defined.contains(p.tuple())) yield "project of a node not defined before it";
                if (!(p.tuple().type() instanceof Type.Tuple t) || p.index() >= t.parts().size()) yield "project " + p.index() + " of " + p.tuple().type();
                yield t.parts().get(p.index()).equals(p.type()) ? null : "project " + p.index() + " has type " + p.type() + " but the part is " + t.parts().get(p.index());
            }
            case Node.Apply a -> {
                for (Node arg : a.args()) if (!defined.contains(arg)) yield a.op() + ": an argument is used before it is defined";
                if (a.attrs().get("body") instanceof Graph body) {
                    // A scan: its body may use the enclosing graph's nodes.
                    var inner = Collections.<Node>newSetFromMap(new IdentityHashMap<>());
                    inner.addAll(defined);
                    verify(body, inner, problems);
                }
                yield inferred(a);
            }
        };
    }

    /** Re-infers an application's type through its op-table row and compares it with the recorded one. */
    private static String inferred(Node.Apply a) {
        try {
            Type t = Builder.infer(a.op(), a.args(), a.attrs()).type();
            return t.equals(a.type()) ? null : a.op() + ": recorded type " + a.type() + " but the op table infers " + t;
        } catch (ShapeError | RuntimeException e) {
            if (!Scan.is(a) && OpTable.forNode(a.op(), a.args().size()).isEmpty()) return "unknown op '" + a.op() + "'";
            return a.op() + ": its arguments do not type-check again: " + e.getMessage();
        }
    }

    /** The failing node with up to ten nodes on each side, as the printer shows them. */
    private static String around(Graph g, int at) {
        String[] lines = Printer.print(g).split("\n");
        int from = Math.max(0, at - 10), to = Math.min(lines.length, at + 11);
        var out = new StringBuilder();
        for (int i = from; i < to; i++) out.append(i == at ? "> " : "  ").append(lines[i]).append('\n');
        return out.toString();
    }
}
