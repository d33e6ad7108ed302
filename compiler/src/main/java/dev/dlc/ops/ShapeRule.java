package dev.dlc.ops;

import dev.dlc.types.Type;

/** The shape and dtype rule of a primitive: the result type of a bound call, or a {@link ShapeError}. */
@FunctionalInterface
public interface ShapeRule {
    /** A {@link Type.Tensor}, or a {@link Type.Tuple} of tensors for {@code split}. */
    Type infer(Bound args) throws ShapeError;
}
