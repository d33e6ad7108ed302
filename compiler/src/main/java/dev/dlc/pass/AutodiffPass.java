package dev.dlc.pass;

import dev.dlc.diag.Span;
import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
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
    /** The gradient graph (forward, then backward), the loss, and the gradient of each node differentiated for. */
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
        List<Node> order = forward.nodes();
        Set<Node> active = active(order, loss, Set.copyOf(params));

        // d loss / d loss = 1.
        var ct = new IdentityHashMap<Node, Node>();
        var parts = new IdentityHashMap<Node, Node[]>();
        ct.put(loss, g.add(new Node.Const(1.0, Type.tensor(t.dtype())), null));
        var blocked = new ArrayList<Node[]>(); // (op, argument) edges that carry no gradient

        // Reverse topological order: a node's cotangent is complete once all its uses are visited.
        for (Node n : order.reversed()) {
            if (!active.contains(n)) continue;
            switch (n) {
                // A part of a tuple: its cotangent waits for the tuple's own node.
                case Node.Project p when ct.containsKey(p) ->
                    parts.computeIfAbsent(p.tuple(), tu -> new Node[((Type.Tuple) tu.type()).parts().size()])[p.index()] = ct.get(p);
                case Node.Apply a when ct.containsKey(a) || parts.containsKey(a) -> {
                    var rule = OpTable.forNode(a.op(), a.args().size()).map(d -> d.vjp()).orElse(null);
                    if (rule == null)
                        throw new NotDifferentiable("differentiation rule for '" + a.op() + "' is not implemented", a, forward.loc(a));
                    // The rule maps this node's cotangent to one per argument (null: none flows there).
                    List<Node> dxs = rule.vjp(b, a, cotangents(b, a, ct, parts));
                    for (int i = 0; i < a.args().size(); i++) {
                        Node x = a.args().get(i), dx = dxs.get(i);
                        if (!active.contains(x)) continue;
                        if (dx == null || !isFloat(x)) blocked.add(new Node[] {a, x});
                        // A value used several times: the contributions of its uses add up (micrograd's +=).
                        else ct.merge(x, dx, b::add);
                    }
                }
                default -> {}
            }
        }

        var grads = new LinkedHashMap<Node, Node>();
        for (Node p : params) {
            Node grad = ct.get(p);
            if (grad == null && active.contains(p)) throw blockedError(p, order, blocked, forward);
            // A parameter the loss does not use has gradient zero.
            grads.put(p, grad != null ? grad : b.zeros((dev.dlc.types.Type.Tensor) p.type()));
        }
        return new Result(pruned(forward, g, loss, grads.values()), loss, grads);
    }

    /**
     * The forward nodes, then only the backward nodes the gradients use: rules also build the
     * cotangents of arguments no parameter depends on (the input batch's). Forward nodes keep
     * their positions, which name their random streams (dropout).
     */
    private static Graph pruned(Graph forward, Graph all, Node loss, Collection<Node> grads) {
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(grads);
        for (Node n : all.nodes().reversed()) if (live.contains(n)) live.addAll(uses(n));
        Set<Node> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(forward.nodes());
        var out = new Graph();
        for (Node n : all.nodes()) if (kept.contains(n) || live.contains(n)) out.add(n, forward.loc(n));
        out.output(loss);
        grads.forEach(out::output);
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

    /** The nodes on some path from a parameter to the loss: only they need a cotangent. */
    private static Set<Node> active(List<Node> order, Node loss, Set<Node> params) {
        Set<Node> fromParams = reach(order, params), toLoss = Collections.newSetFromMap(new IdentityHashMap<>());
        toLoss.add(loss);
        for (Node n : order.reversed()) {
            if (toLoss.contains(n)) toLoss.addAll(uses(n));
        }
        toLoss.retainAll(fromParams);
        return toLoss;
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
    private static List<Node> uses(Node n) {
        return switch (n) {
            case Node.Apply a when a.attrs().get("body") instanceof Graph body -> {
                var out = new ArrayList<>(a.args());
                Set<Node> inner = Collections.newSetFromMap(new IdentityHashMap<>());
                inner.addAll(body.nodes());
                for (Node m : body.nodes()) for (Node u : uses(m)) if (!inner.contains(u)) out.add(u);
                yield out;
            }
            case Node.Apply a -> a.args();
            case Node.Project p -> List.of(p.tuple());
            default -> List.of();
        };
    }

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

    private static boolean isFloat(Node n) {
        return switch (n.type()) {
            case Type.Tensor t -> t.dtype().isFloat();
            case Type.Tuple tu -> tu.parts().stream().allMatch(x -> x instanceof Type.Tensor t && t.dtype().isFloat());
            default -> false;
        };
    }
}
