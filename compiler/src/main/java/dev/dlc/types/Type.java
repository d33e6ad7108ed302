package dev.dlc.types;

import java.util.List;
import java.util.stream.Collectors;

/** Static types of staged values and config values. */
public sealed interface Type {

    /** {@code f32[B,784]}. */
    record Tensor(DType dtype, Shape shape) implements Type {
        public int rank() { return shape.rank(); }
        public Dim dim(int i) { return shape.dim(i); }
        public Tensor withShape(Shape s) { return new Tensor(dtype, s); }
        public Tensor withDtype(DType d) { return new Tensor(d, shape); }
        @Override public String toString() { return dtype.spelling() + shape; }
    }

    /** Host and config scalars. */
    enum Scalar implements Type {
        INT("Int"), FLOAT("Float"), BOOL("Bool"), STRING("String");
        public final String spelling;
        Scalar(String spelling) { this.spelling = spelling; }
        @Override public String toString() { return spelling; }
    }

    record Tuple(List<Type> parts) implements Type {
        public Tuple { parts = List.copyOf(parts); }
        @Override public String toString() {
            return "(" + parts.stream().map(Type::toString).collect(Collectors.joining(", ")) + ")";
        }
    }

    record ListOf(Type element) implements Type {
        @Override public String toString() { return "[" + element + "]"; }
    }

    /** The type of an optional argument ({@code T?}). */
    record Optional(Type inner) implements Type {
        @Override public String toString() { return inner + "?"; }
    }

    static Tensor tensor(DType d, long... dims) { return new Tensor(d, Shape.of(dims)); }
}
