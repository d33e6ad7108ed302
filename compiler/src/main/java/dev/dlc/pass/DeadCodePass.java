package dev.dlc.pass;

import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Dead-code elimination ("dce"): keeps the nodes some output depends on. Unused inputs and
 * parameters go too (an output that is an input or parameter stays). A live scan keeps all
 * of its body's outputs (each step's results feed the next or the stacked result) and its
 * placeholders, which the scan binds by position; inside the body the same rule drops the
 * rest, and what the body reads from enclosing graphs is live there.
 */
public final class DeadCodePass {
    private DeadCodePass() {}

    public static final String NAME = "dce";

    public static Graph run(Graph g) {
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        mark(g, false, live);
        return new Rewriter(NAME, live::contains, false).run(g, (n, _) -> n);
    }

    /** Marks the nodes of {@code g} its outputs depend on, walking backwards from them. */
    private static void mark(Graph g, boolean body, Set<Node> live) {
        live.addAll(g.outputs());
        for (Node n : g.nodes().reversed()) {
            if (body && n instanceof Node.Input) live.add(n);
            if (!live.contains(n)) continue;
            switch (n) {
                case Node.Apply a -> {
                    live.addAll(a.args());
                    if (a.attrs().get("body") instanceof Graph inner) mark(inner, true, live);
                }
                case Node.Project p -> live.add(p.tuple());
                case Node.Input _, Node.Param _, Node.Const _ -> {}
            }
        }
    }
}
