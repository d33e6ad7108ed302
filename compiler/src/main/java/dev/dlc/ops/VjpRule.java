package dev.dlc.ops;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Node;
import java.util.List;

/**
 * The derivative of a primitive as a vector-Jacobian product that builds IR from other
 * primitives (STYLE.md §5), so the backward graph is typed, fused and run like any other.
 * The rules live in {@link Vjps}, one per row of the op table.
 */
@FunctionalInterface
public interface VjpRule {
    /**
     * The cotangents of {@code out}'s tensor arguments, in order, given the cotangents of its
     * results {@code g} (one per result: a single one for every op but split). A null entry
     * means "no gradient flows to this argument" (a condition, a mask, an index).
     */
    List<Node> vjp(Builder b, Node.Apply out, List<Node> g);

    /** A rule for an op with one result, whose cotangent is {@code g}. */
    @FunctionalInterface
    interface Single {
        List<Node> vjp(Builder b, Node.Apply out, Node g);
    }
}
