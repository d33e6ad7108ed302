package dev.dlc.ops;

/** What a primitive's argument accepts; {@link Sig#bind} checks and normalizes values by kind. */
public enum ArgKind {
    /** A tensor ({@code Type.Tensor}); the checker turns literals into scalar tensors before binding. */
    TENSOR("a tensor"),
    /** A list of tensors ({@code List<Type.Tensor>}). */
    TENSOR_LIST("a list of tensors"),
    INT("Int"),
    /** Accepts a Long too. */
    FLOAT("Float"),
    BOOL("Bool"),
    STRING("String"),
    /** An Int that may be symbolic: bound as a {@code Dim}. */
    DIM("a dimension"),
    /** {@code [Dim]}, e.g. reshape's shape; bound as {@code List<Dim>}. */
    DIMS("a list of dimensions"),
    /** An Int or {@code [Int, Int]}; bound as a {@code List<Long>} of two. */
    INT_OR_PAIR("Int or [Int, Int]"),
    /** An Int or {@code [Int]}; bound as a {@code List<Long>}; absent means all axes. */
    AXES("an axis or a list of axes"),
    /** An Int or {@code [Int]} of sizes that may be symbolic: a Dim or a {@code List<Dim>} (split's sizes: an Int is the chunk size). */
    INT_OR_INTS("Int or [Int]"),
    /** {@code [Int]}, e.g. permute's axes; bound as {@code List<Long>}. */
    INTS("[Int]");

    public final String description;
    ArgKind(String description) { this.description = description; }
}
