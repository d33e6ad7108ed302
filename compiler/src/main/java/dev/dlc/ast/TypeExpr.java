package dev.dlc.ast;

import dev.dlc.diag.Span;
import java.util.List;

/** Types as written: {@code f32[B, in]}, {@code Int}, {@code (T1, T2)}, {@code [Int]}, each possibly optional ({@code ?}). */
public sealed interface TypeExpr {
    Span span();
    boolean optional();

    record Tensor(Span span, Ident dtype, List<DimExpr> dims, boolean optional) implements TypeExpr {
        public Tensor { dims = List.copyOf(dims); }
    }
    record Named(Span span, Ident name, boolean optional) implements TypeExpr {}
    record Tuple(Span span, List<TypeExpr> parts, boolean optional) implements TypeExpr {
        public Tuple { parts = List.copyOf(parts); }
    }
    record ListOf(Span span, TypeExpr element, boolean optional) implements TypeExpr {}
}
