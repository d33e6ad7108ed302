package dev.dlc.ir;

import dev.dlc.diag.Span;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the nodes of one staged program in creation order (a topological order) with
 * the source span of each. Structurally equal nodes are interned, so building the same
 * computation twice yields one node.
 */
public final class Graph {
    private final Map<Node, Node> interned = new LinkedHashMap<>();
    private final Map<Node, Span> loc = new IdentityHashMap<>();
    private final List<Node> outputs = new ArrayList<>();

    public Node add(Node n, Span where) {
        Node existing = interned.putIfAbsent(n, n);
        if (existing != null) return existing;
        if (where != null) loc.put(n, where);
        return n;
    }

    /** Whether this very node (not merely an equal one) is a node of this graph. */
    public boolean contains(Node n) { return interned.get(n) == n; }

    public void output(Node n) { outputs.add(n); }

    /** The same nodes, in the same order and with their locations, returning {@code outputs} instead. */
    public Graph withOutputs(List<Node> outputs) {
        var g = new Graph();
        for (Node n : nodes()) g.add(n, loc(n));
        outputs.forEach(g::output);
        return g;
    }
    public List<Node> outputs() { return List.copyOf(outputs); }
    public List<Node> nodes() { return List.copyOf(interned.keySet()); }
    public Span loc(Node n) { return loc.get(n); }
}
