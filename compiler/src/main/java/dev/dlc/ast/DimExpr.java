package dev.dlc.ast;

import dev.dlc.diag.Span;

/** A dimension in a tensor type: {@code 784}, {@code B}, {@code H / 2}, {@code ...}. */
public sealed interface DimExpr {
    Span span();

    record Ellipsis(Span span) implements DimExpr {}
    record Lit(Span span, long value) implements DimExpr {}
    record Name(Ident ident) implements DimExpr { public Span span() { return ident.span(); } }
    /** op is one of + - * / // */
    record Bin(Span span, String op, DimExpr left, DimExpr right) implements DimExpr {}
}
