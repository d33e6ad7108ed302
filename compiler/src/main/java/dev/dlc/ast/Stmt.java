package dev.dlc.ast;

import dev.dlc.diag.Span;
import java.util.List;

/** Statements of blocks: staged bodies (forward, fn, update) and host programs (main). */
public sealed interface Stmt {
    Span span();

    record Let(Span span, Pattern pattern, TypeExpr type, Expr value) implements Stmt {}
    record Return(Span span, Expr value) implements Stmt {}
    record For(Span span, Ident var, Expr iterable, Block body) implements Stmt {}
    /** {@code if c { } else { }}; an {@code else if} is an else block holding one If. elseBlock may be null. */
    record If(Span span, Expr cond, Block thenBlock, Block elseBlock) implements Stmt {}
    record Assign(Span span, Expr target, Expr value) implements Stmt {}
    record ExprStmt(Span span, Expr expr) implements Stmt {}

    sealed interface Pattern {
        Span span();
        record Name(Ident ident) implements Pattern { public Span span() { return ident.span(); } }
        record Tuple(Span span, List<Pattern> parts) implements Pattern {
            public Tuple { parts = List.copyOf(parts); }
        }
    }
}
