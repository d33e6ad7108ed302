package dev.dlc.parse;

import dev.dlc.ast.Expr;
import java.util.List;
import java.util.stream.Collectors;

/** Expressions as S-expressions, so a test can state a tree's shape in one line. */
final class Sexp {
    private Sexp() {}

    static String of(Expr e) {
        return switch (e) {
            case null -> "_";
            case Expr.IntLit i -> Long.toString(i.value());
            case Expr.FloatLit f -> Double.toString(f.value());
            case Expr.StrLit s -> '"' + s.value() + '"';
            case Expr.BoolLit b -> Boolean.toString(b.value());
            case Expr.Name n -> n.name();
            case Expr.Call c -> "(call " + of(c.callee()) + args(c.args()) + ")";
            case Expr.Index i -> "(index " + of(i.target()) + i.items().stream().map(Sexp::item).map(s -> " " + s).collect(Collectors.joining()) + ")";
            case Expr.Field f -> "(. " + of(f.target()) + " " + f.field() + ")";
            case Expr.Binary b -> "(" + b.op().symbol + " " + of(b.left()) + " " + of(b.right()) + ")";
            case Expr.Unary u -> "(" + u.op().symbol + " " + of(u.operand()) + ")";
            case Expr.If i -> "(if " + of(i.cond()) + " " + of(i.then()) + " " + of(i.otherwise()) + ")";
            case Expr.Pipe p -> "(|> " + of(p.lhs()) + " " + of(p.rhs()) + ")";
            case Expr.TupleLit t -> "(tuple" + list(t.items()) + ")";
            case Expr.ListLit l -> "(list" + list(l.items()) + ")";
            case Expr.Seq s -> "(seq" + list(s.items()) + ")";
            case Expr.Repeat r -> "(repeat " + of(r.count()) + list(r.items()) + ")";
        };
    }

    private static String item(Expr.IndexItem item) {
        return switch (item) {
            case Expr.IndexItem.All _ -> "...";
            case Expr.IndexItem.Point p -> of(p.index());
            case Expr.IndexItem.Slice s -> "(: " + of(s.lo()) + " " + of(s.hi()) + " " + of(s.step()) + ")";
        };
    }

    private static String args(List<Expr.Arg> args) {
        return args.stream().map(a -> " " + (a.keyword() == null ? "" : a.keyword() + "=") + of(a.value()))
                .collect(Collectors.joining());
    }

    private static String list(List<Expr> items) {
        return items.stream().map(i -> " " + of(i)).collect(Collectors.joining());
    }
}
