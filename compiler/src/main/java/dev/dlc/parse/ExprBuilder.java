package dev.dlc.parse;

import dev.dlc.ast.Expr;
import dev.dlc.ast.Expr.BinOp;
import dev.dlc.ast.Expr.UnOp;
import dev.dlc.ast.Ident;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Span;
import dev.dlc.grammar.DLBaseVisitor;
import dev.dlc.grammar.DLParser;
import java.util.List;
import java.util.Objects;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Expressions. The grammar has one rule per precedence level; a level that holds a
 * single operand passes it through, so {@code a + b * c} becomes two Binary nodes and
 * no wrapper nodes. Parentheses leave no node either: the inner expression's span
 * stops inside them, while an operator applied to them covers them.
 */
final class ExprBuilder extends DLBaseVisitor<Expr> {
    private final Spans spans;
    private final Diagnostics diags;

    ExprBuilder(Spans spans, Diagnostics diags) {
        this.spans = spans;
        this.diags = diags;
    }

    /** An optional expression: null stays null. */
    Expr expr(ParseTree tree) { return tree == null ? null : visit(innermost(tree)); }

    /**
     * Steps down through the precedence levels that hold a single operand (and through
     * parentheses) in a loop: visiting them one by one costs a dozen stack frames per
     * pair of parentheses, which deep but legal nesting would overflow.
     */
    private static ParseTree innermost(ParseTree tree) {
        while (true) {
            ParseTree inner = switch (tree) {
                case DLParser.PipeTopContext c when c.next == null -> c.pipe();
                case DLParser.PipeOperandContext c -> c.orExpr();
                case DLParser.OrExprContext c when c.getChildCount() == 1 -> c.andExpr(0);
                case DLParser.AndExprContext c when c.getChildCount() == 1 -> c.notExpr(0);
                case DLParser.NotOperandContext c -> c.compare();
                case DLParser.CompareContext c when c.op == null -> c.lhs;
                case DLParser.TermArithContext c -> c.term();
                case DLParser.UnaryTermContext c -> c.unary();
                case DLParser.PowerUnaryContext c -> c.power();
                case DLParser.PowerContext c when c.exponent == null -> c.base;
                case DLParser.PrimaryExprContext c -> c.primary();
                case DLParser.ParenExprContext c when c.expr().size() == 1 && c.comma == null -> c.expr(0);
                default -> null;
            };
            if (inner == null) return tree;
            tree = inner;
        }
    }

    List<Expr> exprs(List<? extends ParseTree> trees) {
        return trees.stream().map(this::expr).filter(Objects::nonNull).toList();
    }

    Ident ident(DLParser.NameContext ctx) { return new Ident(ctx.getText(), spans.of(ctx)); }

    Ident ident(DLParser.KeyContext ctx) { return new Ident(ctx.getText(), spans.of(ctx)); }

    // ------------------------------------------------------------ loose levels

    @Override public Expr visitIfExpr(DLParser.IfExprContext ctx) {
        return new Expr.If(spans.of(ctx), expr(ctx.cond), expr(ctx.thenE), expr(ctx.elseE));
    }

    /**
     * {@code a then b} is a call of the keyword {@code then} (no user name can be a keyword),
     * spanned by the operator; the checker composes the two schedules.
     */
    @Override public Expr visitPipeTop(DLParser.PipeTopContext ctx) {
        if (ctx.next == null) return expr(ctx.pipe());
        var op = spans.of((TerminalNode) ctx.getChild(1));
        return new Expr.Call(spans.of(ctx), new Expr.Name(op, "then"), List.of(new Expr.Arg(null, expr(ctx.pipe())), new Expr.Arg(null, expr(ctx.next))));
    }

    @Override public Expr visitPipeExpr(DLParser.PipeExprContext ctx) {
        return new Expr.Pipe(spans.of(ctx), expr(ctx.lhs), expr(ctx.rhs), spans.of((TerminalNode) ctx.getChild(1)));
    }

    @Override public Expr visitPipeOperand(DLParser.PipeOperandContext ctx) { return expr(ctx.orExpr()); }

    @Override public Expr visitOrExpr(DLParser.OrExprContext ctx) { return foldLeft(ctx, BinOp.OR); }

    @Override public Expr visitAndExpr(DLParser.AndExprContext ctx) { return foldLeft(ctx, BinOp.AND); }

    /** {@code a or b or c} is {@code (a or b) or c}; each node spans from a to its right operand. */
    private Expr foldLeft(ParserRuleContext ctx, BinOp op) {
        Expr acc = null;
        Span opSpan = null;
        for (ParseTree child : ctx.children) {
            if (child instanceof TerminalNode t) {
                opSpan = spans.of(t);
            } else {
                Expr next = expr(child);
                acc = acc == null ? next : new Expr.Binary(
                        spans.of(ctx.getStart().getStartIndex(), ((ParserRuleContext) child).getStop().getStopIndex() + 1),
                        op, acc, next, opSpan);
            }
        }
        return acc;
    }

    @Override public Expr visitNotOp(DLParser.NotOpContext ctx) {
        return new Expr.Unary(spans.of(ctx), UnOp.NOT, expr(ctx.notExpr()));
    }

    @Override public Expr visitNotOperand(DLParser.NotOperandContext ctx) { return expr(ctx.compare()); }

    @Override public Expr visitCompare(DLParser.CompareContext ctx) {
        return ctx.op == null ? expr(ctx.lhs) : binary(ctx, ctx.op, ctx.lhs, ctx.rhs);
    }

    // ------------------------------------------------------------ arithmetic

    @Override public Expr visitAddArith(DLParser.AddArithContext ctx) { return binary(ctx, ctx.op, ctx.lhs, ctx.rhs); }

    @Override public Expr visitTermArith(DLParser.TermArithContext ctx) { return expr(ctx.term()); }

    @Override public Expr visitMulTerm(DLParser.MulTermContext ctx) { return binary(ctx, ctx.op, ctx.lhs, ctx.rhs); }

    @Override public Expr visitUnaryTerm(DLParser.UnaryTermContext ctx) { return expr(ctx.unary()); }

    @Override public Expr visitNegUnary(DLParser.NegUnaryContext ctx) {
        UnOp op = ctx.op.getText().equals("-") ? UnOp.NEG : UnOp.PLUS;
        return new Expr.Unary(spans.of(ctx), op, expr(ctx.unary()));
    }

    @Override public Expr visitPowerUnary(DLParser.PowerUnaryContext ctx) { return expr(ctx.power()); }

    @Override public Expr visitPower(DLParser.PowerContext ctx) {
        if (ctx.exponent == null) return expr(ctx.base);
        Token op = ((TerminalNode) ctx.getChild(1)).getSymbol();
        return binary(ctx, op, ctx.base, ctx.exponent);
    }

    private Expr binary(ParserRuleContext ctx, Token op, ParserRuleContext lhs, ParserRuleContext rhs) {
        return new Expr.Binary(spans.of(ctx), BinOp.of(op.getText()), expr(lhs), expr(rhs), spans.of(op));
    }

    // ------------------------------------------------------------ postfix

    @Override public Expr visitCallExpr(DLParser.CallExprContext ctx) {
        List<Expr.Arg> args = ctx.args() == null ? List.of() : ctx.args().arg().stream().map(this::arg).toList();
        return new Expr.Call(spans.of(ctx), expr(ctx.postfix()), args);
    }

    private Expr.Arg arg(DLParser.ArgContext ctx) {
        return switch (ctx) {
            case DLParser.KeywordArgContext k -> new Expr.Arg(ident(k.key()), expr(k.expr()));
            case DLParser.PositionalArgContext p -> new Expr.Arg(null, expr(p.expr()));
            default -> throw new IllegalStateException("unknown argument form " + ctx.getClass());
        };
    }

    @Override public Expr visitIndexExpr(DLParser.IndexExprContext ctx) {
        return new Expr.Index(spans.of(ctx), expr(ctx.postfix()), ctx.index().stream().map(this::indexItem).toList());
    }

    /** {@code ...} is All, {@code a:b:c} (each part optional) a Slice, anything else a Point. */
    private Expr.IndexItem indexItem(DLParser.IndexContext ctx) {
        return switch (ctx) {
            case DLParser.EllipsisIndexContext e -> new Expr.IndexItem.All(spans.of(e));
            case DLParser.ExprIndexContext p when p.colon == null -> new Expr.IndexItem.Point(expr(p.lo));
            case DLParser.ExprIndexContext s -> new Expr.IndexItem.Slice(spans.of(s), expr(s.lo), expr(s.hi), expr(s.step));
            case DLParser.SliceIndexContext s -> new Expr.IndexItem.Slice(spans.of(s), null, expr(s.hi), expr(s.step));
            default -> throw new IllegalStateException("unknown index form " + ctx.getClass());
        };
    }

    @Override public Expr visitFieldExpr(DLParser.FieldExprContext ctx) {
        return new Expr.Field(spans.of(ctx), expr(ctx.postfix()), ident(ctx.name()));
    }

    @Override public Expr visitPrimaryExpr(DLParser.PrimaryExprContext ctx) { return expr(ctx.primary()); }

    // ------------------------------------------------------------ primaries

    @Override public Expr visitIntLit(DLParser.IntLitContext ctx) {
        Span span = spans.of(ctx);
        return new Expr.IntLit(span, Literals.integer(ctx.getText(), span, diags));
    }

    @Override public Expr visitFloatLit(DLParser.FloatLitContext ctx) {
        Span span = spans.of(ctx);
        return new Expr.FloatLit(span, Literals.floating(ctx.getText(), span, diags));
    }

    @Override public Expr visitStringLit(DLParser.StringLitContext ctx) {
        Span span = spans.of(ctx);
        return new Expr.StrLit(span, Literals.string(ctx.getText(), span, diags));
    }

    @Override public Expr visitBoolLit(DLParser.BoolLitContext ctx) {
        return new Expr.BoolLit(spans.of(ctx), ctx.getText().equals("true"));
    }

    @Override public Expr visitNameRef(DLParser.NameRefContext ctx) {
        return new Expr.Name(spans.of(ctx), ctx.getText());
    }

    /** {@code (a)} is just a; a comma makes a tuple, so {@code (a,)} has one element. */
    @Override public Expr visitParenExpr(DLParser.ParenExprContext ctx) {
        if (ctx.expr().size() == 1 && ctx.comma == null) return expr(ctx.expr(0));
        return new Expr.TupleLit(spans.of(ctx), exprs(ctx.expr()));
    }

    @Override public Expr visitListExpr(DLParser.ListExprContext ctx) {
        return new Expr.ListLit(spans.of(ctx), exprs(ctx.expr()));
    }

    @Override public Expr visitSeqExpr(DLParser.SeqExprContext ctx) {
        return new Expr.Seq(spans.of(ctx), seqItems(ctx.seqItem()));
    }

    @Override public Expr visitRepeatExpr(DLParser.RepeatExprContext ctx) {
        return new Expr.Repeat(spans.of(ctx), expr(ctx.count), seqItems(ctx.seqItem()));
    }

    /** The layers of a seq or repeat body; the {@code ;} separators are dropped. */
    private List<Expr> seqItems(List<DLParser.SeqItemContext> items) {
        return items.stream()
                .filter(DLParser.SeqLayerContext.class::isInstance)
                .map(i -> expr(((DLParser.SeqLayerContext) i).expr()))
                .filter(Objects::nonNull).toList();
    }
}
