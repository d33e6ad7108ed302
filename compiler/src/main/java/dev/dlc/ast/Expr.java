package dev.dlc.ast;

import dev.dlc.diag.Span;
import java.util.List;

/** Expressions; the same syntax serves staged code, config values and host code. */
public sealed interface Expr {
    Span span();

    record IntLit(Span span, long value) implements Expr {}
    record FloatLit(Span span, double value) implements Expr {}
    record StrLit(Span span, String value) implements Expr {}
    record BoolLit(Span span, boolean value) implements Expr {}
    record Name(Span span, String name) implements Expr {}

    record Call(Span span, Expr callee, List<Arg> args) implements Expr {
        public Call { args = List.copyOf(args); }
    }
    /** A call argument; keyword is null for positional ones. */
    record Arg(Ident keyword, Expr value) {
        public Span span() { return keyword == null ? value.span() : keyword.span().to(value.span()); }
    }

    record Index(Span span, Expr target, List<IndexItem> items) implements Expr {
        public Index { items = List.copyOf(items); }
    }
    sealed interface IndexItem {
        Span span();
        record All(Span span) implements IndexItem {}                       // `...`
        record Point(Expr index) implements IndexItem { public Span span() { return index.span(); } }
        /** lo, hi and step may each be null. */
        record Slice(Span span, Expr lo, Expr hi, Expr step) implements IndexItem {}
    }

    record Field(Span span, Expr target, Ident field) implements Expr {}
    /** opSpan is where the operator was written: errors about the operation point there. */
    record Binary(Span span, BinOp op, Expr left, Expr right, Span opSpan) implements Expr {}
    record Unary(Span span, UnOp op, Expr operand) implements Expr {}
    record If(Span span, Expr cond, Expr then, Expr otherwise) implements Expr {}
    /** {@code lhs |> rhs}: rhs is a callable, or a call that takes lhs as its first argument. */
    record Pipe(Span span, Expr lhs, Expr rhs, Span opSpan) implements Expr {}
    record TupleLit(Span span, List<Expr> items) implements Expr {
        public TupleLit { items = List.copyOf(items); }
    }
    record ListLit(Span span, List<Expr> items) implements Expr {
        public ListLit { items = List.copyOf(items); }
    }
    /** {@code seq { L1 L2 ... }}: each layer applied to the previous output. */
    record Seq(Span span, List<Expr> items) implements Expr {
        public Seq { items = List.copyOf(items); }
    }
    /** {@code repeat N { ... }}: the body N times, with fresh parameters each time. */
    record Repeat(Span span, Expr count, List<Expr> items) implements Expr {
        public Repeat { items = List.copyOf(items); }
    }

    enum BinOp {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), FLOORDIV("//"), MOD("%"), MATMUL("@"), POW("**"),
        LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!="), AND("and"), OR("or");

        public final String symbol;
        BinOp(String symbol) { this.symbol = symbol; }

        public static BinOp of(String symbol) {
            for (BinOp op : values()) if (op.symbol.equals(symbol)) return op;
            throw new IllegalArgumentException(symbol);
        }
        public boolean isComparison() { return ordinal() >= LT.ordinal() && ordinal() <= NE.ordinal(); }
    }

    enum UnOp {
        NEG("-"), PLUS("+"), NOT("not");
        public final String symbol;
        UnOp(String symbol) { this.symbol = symbol; }
    }
}
