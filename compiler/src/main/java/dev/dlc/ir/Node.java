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
    }

    /** Element {@code index} of a node whose type is a tuple (e.g. the parts of a split). */
    record Project(Node tuple, int index, Type type) implements Node {}
}
