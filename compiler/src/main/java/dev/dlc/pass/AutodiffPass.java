package dev.dlc.pass;

import dev.dlc.diag.Span;
import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import dev.dlc.ops.OpTable;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode autodiff over the IR ("autodiff"): the gradient of a scalar loss with respect
 * to parameters, as new nodes built by each primitive's VJP rule from the op table. Like
 * micrograd's {@code backward()}: visit the nodes in reverse topological order, hand each
 * node's cotangent to its rule, and add up what reaches a node along several uses.
 */
public final class AutodiffPass {
    private AutodiffPass() {}

    public static final String NAME = "autodiff";

    /**
     * The forward graph extended with the backward one. {@code graph}'s outputs are the loss,
     * then one gradient per parameter in the order asked; {@code grads} maps each to its node.
     */
    public record Result(Graph graph, Node loss, Map<Node, Node> grads) {}

    /**
     * A gradient that cannot be taken: {@code node} is the op with no rule, or the one through
     * which no gradient reaches {@code param}. {@code span} is its source, when known; a caller
     * turns this into a positioned diagnostic.
     */
    public static final class NotDifferentiable extends RuntimeException {
        public final transient Node.Apply node;
        public final transient Span span;

        NotDifferentiable(String message, Node.Apply node, Span span) {
            super(message);
            this.node = node;
            this.span = span;
        }
    }

    /** Gradients of {@code loss} with respect to {@code params}: parameters, or inputs (a loss's arguments in `dlc gradcheck`). */
    public static Result run(Graph forward, Node loss, List<? extends Node> params) {
        if (!(loss.type() instanceof Type.Tensor t) || t.rank() != 0 || !t.dtype().isFloat())
            throw new IllegalArgumentException("autodiff: the loss must be a float scalar, found " + loss.type());
        // The new graph starts as a copy of the forward one: the backward nodes use its values.
        var g = new Graph();
        for (Node n : forward.nodes()) g.add(n, forward.loc(n));
        var b = new Builder(g);
        // d loss / d loss = 1.
        var sweep = backprop(forward, b, Map.of(loss, g.add(new Node.Const(1.0, Type.tensor(t.dtype())), null)), params);

        var grads = new LinkedHashMap<Node, Node>();
        for (Node p : params) {
            Node grad = sweep.ct.get(p);
            if (grad == null && sweep.active.contains(p)) throw blockedError(p, forward.nodes(), sweep.blocked, forward);
            // A parameter the loss does not use has gradient zero.
            grads.put(p, grad != null ? grad : b.zeros((Type.Tensor) p.type()));
        }
        var outputs = new ArrayList<Node>();
        outputs.add(loss);
        outputs.addAll(grads.values());
        return new Result(pruned(forward.nodes(), g, outputs), loss, grads);
    }

    /**
     * What one reverse sweep found: the cotangent of every node reached, the nodes that needed one
     * ({@code active}), and the (op, argument) edges that carry no gradient.
     */
    record Sweep(Map<Node, Node> ct, Set<Node> active, List<Node[]> blocked) {}

    /**
     * Reverse accumulation over {@code forward}'s nodes (the program, or a scan body): starting
     * from the cotangents {@code seeds} of some of its values, the cotangent of every node on a
     * path from {@code wrt} to a seed, built with {@code b}. Values {@code forward} reads from an
     * enclosing graph (a body's parameters) receive cotangents too when they are in {@code wrt}.
     */
    static Sweep backprop(Graph forward, Builder b, Map<Node, Node> seeds, Collection<? extends Node> wrt) {
        List<Node> order = forward.nodes();
        Set<Node> from = Collections.newSetFromMap(new IdentityHashMap<>());
        from.addAll(wrt);
        Set<Node> active = active(order, seeds.keySet(), from);
        var ct = new IdentityHashMap<Node, Node>(seeds);
        var parts = new IdentityHashMap<Node, Node[]>();
        var blocked = new ArrayList<Node[]>();

        // Reverse topological order: a node's cotangent is complete once all its uses are visited.
        for (int i = order.size() - 1; i >= 0; i--) {
            Node n = order.get(i);
            if (!active.contains(n)) continue;
            switch (n) {
                // A part of a tuple: its cotangent waits for the tuple's own node.
                case Node.Project p when ct.containsKey(p) ->
                    parts.computeIfAbsent(p.tuple(), tu -> new Node[((Type.Tuple) tu.type()).parts().size()])[p.index()] = ct.get(p);
                case Node.Apply a when ct.containsKey(a) || parts.containsKey(a) -> {
                    // (value, its cotangent) for each value this node reads; null: none flows there.
                    List<Node[]> flows = Scan.is(a)
                            ? ScanVjp.vjp(b, Scan.of(a), parts.get(a), i, active)
                            : ruleVjp(b, a, cotangents(b, a, ct, parts), forward);
                    for (Node[] f : flows) {
                        Node x = f[0], dx = f[1];
                        if (!active.contains(x)) continue;
                        if (dx == null || !isFloat(x)) blocked.add(new Node[] {a, x});
                        // A value used several times: the contributions of its uses add up (micrograd's +=).
                        else ct.merge(x, dx, b::add);
                    }
                }
                default -> {}
            }
        }
        return new Sweep(ct, active, blocked);
    }

    /** A primitive's op-table rule: one cotangent per argument. */
    private static List<Node[]> ruleVjp(Builder b, Node.Apply a, List<Node> g, Graph forward) {
        var rule = OpTable.forNode(a.op(), a.args().size()).map(d -> d.vjp()).orElse(null);
        if (rule == null)
            throw new NotDifferentiable("differentiation rule for '" + a.op() + "' is not implemented", a, forward.loc(a));
        // The backward nodes of an op carry its source line, so the printed gradient reads like the forward.
        List<Node> dxs = rule.vjp(new Builder(b.graph(), forward.loc(a)), a, g);
        var flows = new ArrayList<Node[]>();
        for (int i = 0; i < a.args().size(); i++) flows.add(new Node[] {a.args().get(i), dxs.get(i)});
        return flows;
    }

    /**
     * The nodes to keep, then only the other nodes the outputs use: rules also build the
     * cotangents of arguments no parameter depends on (the input batch's). The kept (forward)
     * nodes keep their positions, which name random streams (dropout, scans).
     */
    static Graph pruned(List<Node> keep, Graph all, List<Node> outputs) {
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(outputs);
        for (Node n : all.nodes().reversed()) if (live.contains(n)) live.addAll(uses(n));
        Set<Node> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(keep);
        var out = new Graph();
        for (Node n : all.nodes()) if (kept.contains(n) || live.contains(n)) out.add(n, all.loc(n));
        outputs.forEach(out::output);
        return out;
    }

    /** The cotangents of a node's results: its own, or one per tuple part with zeros for unused parts. */
    private static List<Node> cotangents(Builder b, Node.Apply a, Map<Node, Node> ct, Map<Node, Node[]> parts) {
        if (!(a.type() instanceof Type.Tuple tu)) return List.of(ct.get(a));
        Node[] given = parts.get(a);
        var out = new ArrayList<Node>();
        for (int i = 0; i < tu.parts().size(); i++)
            out.add(given != null && given[i] != null ? given[i] : b.zeros((Type.Tensor) tu.parts().get(i)));
        return out;
    }

    /** The nodes on some path from a value in {@code from} to a seed: only they need a cotangent. */
    private static Set<Node> active(List<Node> order, Set<Node> seeds, Set<Node> from) {
        Set<Node> fromWrt = reach(order, from), toSeeds = Collections.newSetFromMap(new IdentityHashMap<>());
        toSeeds.addAll(seeds);
        for (Node n : order.reversed()) {
            if (toSeeds.contains(n)) toSeeds.addAll(uses(n));
        }
        toSeeds.retainAll(fromWrt);
        return toSeeds;
    }

    /** The nodes that depend on any of {@code from}, by value (int and bool paths included). */
    private static Set<Node> reach(List<Node> order, Set<Node> from) {
        Set<Node> out = Collections.newSetFromMap(new IdentityHashMap<>());
        out.addAll(from);
        for (Node n : order) if (uses(n).stream().anyMatch(out::contains)) out.add(n);
        return out;
    }

    /**
     * The values a node reads: its arguments, and for a scan also what its body reads from the
     * enclosing graph (parameters are used there directly), so a parameter used only in a
     * loop body still reaches the loss.
     */
    private static List<Node> uses(Node n) { return Scan.uses(n); }

    /**
     * A parameter the loss depends on but no gradient reached: name the op that stopped it,
     * preferring the op that made an int or bool value out of it over the op that consumed one.
     */
    private static NotDifferentiable blockedError(Node p, List<Node> order, List<Node[]> blocked, Graph forward) {
        Set<Node> mine = reach(order, Set.of(p));
        for (Node[] edge : blocked) {
            if (!mine.contains(edge[1])) continue;
            Node.Apply op = !isFloat(edge[1]) && edge[1] instanceof Node.Apply made ? made : (Node.Apply) edge[0];
            return new NotDifferentiable(nameOf(p) + " reaches the loss only through '" + op.op()
                    + "', which has no gradient", op, forward.loc(op));
        }
        return new NotDifferentiable(nameOf(p) + " gets no gradient", null, null);
    }

    private static String nameOf(Node n) {
        return switch (n) {
            case Node.Param p -> "parameter '" + p.path() + "'";
            case Node.Input in -> "input '" + in.name() + "'";
            default -> "a value of type " + n.type();
        };
    }

    static boolean isFloat(Node n) {
        return switch (n.type()) {
            case Type.Tensor t -> t.dtype().isFloat();
            case Type.Tuple tu -> tu.parts().stream().allMatch(x -> x instanceof Type.Tensor t && t.dtype().isFloat());
            default -> false;
        };
    }
}
