package dev.dlc.ir;

import dev.dlc.ops.ArgKind;
import dev.dlc.ops.ArgSpec;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.ShapeError;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
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
                    yield null;
                }
                yield inferred(a);
            }
        };
    }

    /** Re-infers an application's type through its op-table row and compares it with the recorded one. */
    private static String inferred(Node.Apply a) {
        var def = OpTable.forNode(a.op(), a.args().size());
        if (def.isEmpty()) return "unknown op '" + a.op() + "'";
        var named = new LinkedHashMap<String, Object>();
        int next = 0;
        for (ArgSpec spec : def.get().sig().args()) {
            if (spec.kind() == ArgKind.TENSOR) {
                if (next < a.args().size()) named.put(spec.name(), a.args().get(next++).type());
            } else if (spec.kind() == ArgKind.TENSOR_LIST) {
                var rest = new ArrayList<Type>();
                while (next < a.args().size()) rest.add(a.args().get(next++).type());
                named.put(spec.name(), rest);
            } else if (a.attrs().containsKey(spec.name()) && !def.get().fixed().containsKey(spec.name())) {
                named.put(spec.name(), a.attrs().get(spec.name()));
            }
        }
        try {
            Type t = def.get().infer(def.get().bind(List.of(), named));
            return t.equals(a.type()) ? null : a.op() + ": recorded type " + a.type() + " but the op table infers " + t;
        } catch (ShapeError | RuntimeException e) {
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
