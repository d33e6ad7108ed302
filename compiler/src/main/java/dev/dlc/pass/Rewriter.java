package dev.dlc.pass;

import dev.dlc.diag.Span;
import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Rebuilds a graph node by node, in its order, for the optimization passes (tinygrad's
 * {@code graph_rewrite}): each node gets its arguments' replacements, then one local
 * {@link Rule}. Nodes are immutable and arguments compare by identity, so a node whose
 * argument was replaced is a new node, and so is every scan whose body refers to it: the
 * body is rebuilt too, with the enclosing replacements in view.
 *
 * <p>A replacement always has the exact type of the node it replaces (checked here, naming
 * the pass), which is why a node rebuilt with replaced arguments keeps its recorded type:
 * the op table would infer the same one from arguments of the same types.
 */
final class Rewriter {

    /** One local rewrite of a node whose arguments are already rewritten; returns the node itself when nothing applies. */
    @FunctionalInterface
    interface Rule {
        Node rewrite(Node n, Builder b);
    }

    private final String pass;
    private final Predicate<Node> keep;
    private final boolean hoist;
    private final Map<Node, Integer> position = new IdentityHashMap<>();

    /**
     * @param keep  the original nodes to keep; the others are dropped (dead code: no kept node uses them)
     * @param hoist whether loop-invariant nodes of scan bodies move to the enclosing graph
     */
    Rewriter(String pass, Predicate<Node> keep, boolean hoist) {
        this.pass = pass;
        this.keep = keep;
        this.hoist = hoist;
    }

    Rewriter(String pass) { this(pass, _ -> true, false); }

    /** The graph with {@code rule} applied to every node, scan bodies included. */
    Graph run(Graph g, Rule rule) {
        var top = new Scope(null);
        fill(g, top, rule);
        return top.out;
    }

    /**
     * Where a node was emitted among all nodes of this rewrite (enclosing graphs and bodies
     * share one count), for a deterministic order of commutative arguments.
     */
    int position(Node n) { return position.getOrDefault(n, Integer.MAX_VALUE); }

    /** The node of the input graph the rule is rewriting now (the rule gets it rebuilt: a scan always is, its body being new). */
    Node original() { return original; }

    private Node original;

    /** The graph being built at one nesting level, and what its nodes were replaced with. */
    private static final class Scope {
        final Scope parent;
        final Graph out = new Graph();
        final Map<Node, Node> map = new IdentityHashMap<>();

        Scope(Scope parent) { this.parent = parent; }

        Node mapped(Node n) {
            for (Scope s = this; s != null; s = s.parent) {
                Node m = s.map.get(n);
                if (m != null) return m;
            }
            return n;
        }

        /** Whether {@code n} is a node of an enclosing graph (a body uses those directly). */
        boolean enclosing(Node n) {
            for (Scope s = parent; s != null; s = s.parent) if (s.out.contains(n)) return true;
            return false;
        }
    }

    private void fill(Graph g, Scope s, Rule rule) {
        for (Node n : g.nodes()) {
            if (!keep.test(n)) continue;
            s.map.put(n, emit(n, g.loc(n), s, rule));
        }
        for (Node o : g.outputs()) s.out.output(s.mapped(o));
    }

    /** Rebuilds {@code n} (found in scope {@code s}), rewrites it and adds it to the graph it belongs in. */
    private Node emit(Node n, Span where, Scope s, Rule rule) {
        Node m = rebuild(n, s, rule);
        Scope target = hoist ? outermost(m, s) : s;
        original = n;
        Node r = rule.rewrite(m, new Builder(target.out, where));
        if (!r.type().equals(n.type()))
            throw new IllegalStateException(pass + ": replaced a node of type " + n.type() + " by one of type " + r.type() + ": " + describe(n));
        if (!target.enclosing(r)) r = target.out.add(r, where);
        position.putIfAbsent(r, position.size());
        return r;
    }

    /** {@code n} with its arguments replaced; a scan with its body rewritten. Unchanged: {@code n} itself. */
    private Node rebuild(Node n, Scope s, Rule rule) {
        return switch (n) {
            case Node.Input _, Node.Param _, Node.Const _ -> n;
            case Node.Project p -> {
                Node t = s.mapped(p.tuple());
                yield t == p.tuple() ? p : new Node.Project(t, p.index(), p.type());
            }
            case Node.Apply a -> {
                var args = a.args().stream().map(s::mapped).toList();
                var attrs = a.attrs();
                if (attrs.get("body") instanceof Graph body) {
                    var inner = new Scope(s);
                    fill(body, inner, rule);
                    var changed = new HashMap<>(attrs);
                    changed.put("body", inner.out);
                    attrs = changed;
                }
                boolean same = attrs == a.attrs();
                for (int i = 0; same && i < args.size(); i++) same = args.get(i) == a.args().get(i);
                yield same ? a : new Node.Apply(a.op(), args, attrs, a.type());
            }
        };
    }

    /**
     * The outermost scope {@code n} can live in: a node of a scan body that uses only values
     * of enclosing graphs is the same on every step (loop-invariant) and is computed once
     * before the scan. The body's placeholders ({@code scan.x}, the state) and random ops
     * (each draw belongs to its step) stay.
     */
    private static Scope outermost(Node n, Scope s) {
        if (n instanceof Node.Input || n instanceof Node.Apply a && a.op().equals("dropout")) return s;
        var uses = uses(n);
        Scope target = s;
        while (target.parent != null && uses.stream().noneMatch(target.out::contains)) target = target.parent;
        return target;
    }

    /**
     * The values a node reads: its arguments, and for a scan also what its body reads from
     * enclosing graphs (the body uses parameters and outer values directly).
     */
    static List<Node> uses(Node n) {
        return switch (n) {
            case Node.Apply a when a.attrs().get("body") instanceof Graph body -> {
                var out = new ArrayList<>(a.args());
                Set<Node> inner = Collections.newSetFromMap(new IdentityHashMap<>());
                inner.addAll(body.nodes());
                for (Node m : body.nodes()) for (Node u : uses(m)) if (!inner.contains(u)) out.add(u);
                for (Node o : body.outputs()) if (!inner.contains(o)) out.add(o);
                yield out;
            }
            case Node.Apply a -> a.args();
            case Node.Project p -> List.of(p.tuple());
            case Node.Input _, Node.Param _, Node.Const _ -> List.of();
        };
    }

    private static String describe(Node n) {
        return n instanceof Node.Apply a ? a.op() + " " + a.attrs().keySet() : n.getClass().getSimpleName();
    }
}
