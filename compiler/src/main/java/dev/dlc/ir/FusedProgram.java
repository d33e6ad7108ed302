package dev.dlc.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A graph split into kernels, in an order that runs them (each reads only the graph's inputs
 * and parameters, scalar constants and outputs of kernels before it). {@code unfused} lists
 * every producer-to-consumer edge between two ops that ended in different kernels, with why,
 * for {@code dlc ir --explain-fusion}.
 */
public record FusedProgram(Graph graph, List<Kernel> kernels, List<Unfused> unfused) {

    public FusedProgram {
        kernels = List.copyOf(kernels);
        unfused = List.copyOf(unfused);
    }

    /** {@code consumer} reads {@code producer} from memory because of {@code why}. */
    public record Unfused(Node producer, Node consumer, String why) {}

    /**
     * The problems of this program, empty when it is well formed: every value a kernel reads is
     * a leaf (an input, a parameter, a value from outside a scan body) or written by an earlier
     * kernel; every op's arguments are computed before it in its kernel or read by it; every
     * computed node of the graph is in a kernel; every output is written. Bodies recursively.
     */
    public List<String> verify() {
        var problems = new ArrayList<String>();
        var inner = identitySet();
        inner.addAll(graph.nodes());
        var written = identitySet();
        var covered = identitySet();
        for (Kernel k : kernels) {
            for (Node in : k.inputs())
                if (inner.contains(in) && !(in instanceof Node.Input || in instanceof Node.Param) && !written.contains(in))
                    problems.add("k" + k.id() + " reads a " + in.type() + " that no earlier kernel writes");
            var seen = identitySet();
            seen.addAll(k.inputs());
            for (Node op : k.ops()) {
                for (Node u : Scan.uses(op))
                    if (!(u instanceof Node.Const) && !seen.contains(u)) problems.add("k" + k.id() + ": an op uses a " + u.type() + " computed after it or not read");
                seen.add(op);
                covered.add(op);
            }
            for (Node o : k.outputs()) if (!written.add(o)) problems.add("k" + k.id() + " writes a " + o.type() + " another kernel wrote");
            if (k.body() != null) k.body().verify().forEach(p -> problems.add("in the body of k" + k.id() + ": " + p));
        }
        for (Node n : graph.nodes())
            if ((n instanceof Node.Apply || n instanceof Node.Project) && !covered.contains(n)) problems.add("a " + n.type() + " is in no kernel");
        for (Node o : graph.outputs())
            if ((o instanceof Node.Apply || o instanceof Node.Project) && !written.contains(o)) problems.add("the output " + o.type() + " is never written");
        return problems;
    }

    /** Kernels that compute something (views excluded), nested bodies not counted. */
    public long computing() { return kernels.stream().filter(k -> k.kind() != Kernel.Kind.VIEW).count(); }

    private static Set<Node> identitySet() { return Collections.newSetFromMap(new IdentityHashMap<>()); }
}
