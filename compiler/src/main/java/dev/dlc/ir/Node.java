package dev.dlc.ir;

import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;

/**
 * A value of the typed IR: an SSA graph of primitive applications. Nodes are immutable
 * records; equal records are the same computation (CSE comes for free), so source
 * locations live beside the graph ({@link Graph#loc}), never inside a node.
 */
public sealed interface Node {
    Type type();

    /** {@code n} reading, where {@code map} says, other nodes (its arguments, a projection's tuple); a leaf as it is. */
    static Node remapped(Node n, Map<Node, Node> map) {
        return switch (n) {
            case Apply a -> new Apply(a.op(), a.args().stream().map(u -> map.getOrDefault(u, u)).toList(), a.attrs(), a.type());
            case Project p -> new Project(map.getOrDefault(p.tuple(), p.tuple()), p.index(), p.type());
            default -> n;
        };
    }

    /** An input of the program, e.g. the batch {@code x}. */
    record Input(String name, Type.Tensor type) implements Node {}

    /** A trainable parameter or buffer, named by its path in the model ({@code features.0.W}). */
    record Param(String path, Type.Tensor type, boolean trainable) implements Node {}

    /** A scalar constant, broadcast where it is used. */
    record Const(double value, Type.Tensor type) implements Node {}

    /**
     * A primitive applied to arguments. {@code op} is the primitive's name in the op table;
     * {@code attrs} holds its compile-time arguments (axis, stride, shape, ...).
     */
    record Apply(String op, List<Node> args, Map<String, Object> attrs, Type type) implements Node {
        public Apply { args = List.copyOf(args); attrs = Map.copyOf(attrs); }

        /**
         * The site of this random op's stream (a dropout, a scan): the one it is named by (the
         * checker names every dropout and scan, autodiff the scans it builds), else
         * {@code position}, its place in its graph.
         */
        public long site(long position) { return attrs.get("site") instanceof Long named ? named : position; }

        // Arguments are interned by the Graph, so they compare by identity: hashing a deep
        // DAG structurally would visit shared subgraphs once per path, exponentially often.
        @Override public boolean equals(Object o) {
            if (!(o instanceof Apply a) || !op.equals(a.op) || args.size() != a.args.size()) return false;
            for (int i = 0; i < args.size(); i++) if (args.get(i) != a.args.get(i)) return false;
            return attrs.equals(a.attrs) && type.equals(a.type);
        }

        @Override public int hashCode() {
            int h = op.hashCode() * 31 + attrs.hashCode();
            for (Node n : args) h = h * 31 + System.identityHashCode(n);
            return h * 31 + type.hashCode();
        }
    }

    /** Element {@code index} of a node whose type is a tuple (e.g. the parts of a split). */
    record Project(Node tuple, int index, Type type) implements Node {
        @Override public boolean equals(Object o) { return o instanceof Project p && p.tuple == tuple && p.index == index; }
        @Override public int hashCode() { return System.identityHashCode(tuple) * 31 + index; }
    }
}
