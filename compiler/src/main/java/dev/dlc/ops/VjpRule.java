package dev.dlc.ops;

import java.util.List;

/**
 * The derivative of a primitive as a vector-Jacobian product that builds IR from other
 * primitives (STYLE.md §5). Placeholder types: the IR issue narrows {@code Object} to its
 * value and builder types and fills the table's column.
 */
@FunctionalInterface
public interface VjpRule {
    /** Cotangents of the inputs (null entries: no gradient) given the output cotangent {@code g}. */
    List<Object> vjp(Object builder, Object g, Object out, List<Object> inputs, Bound attrs);
}
