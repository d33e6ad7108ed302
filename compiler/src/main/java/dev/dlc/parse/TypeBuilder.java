package dev.dlc.parse;

import dev.dlc.ast.DimExpr;
import dev.dlc.ast.TypeExpr;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Span;
import dev.dlc.grammar.DLParser;

/** Types as written ({@code f32[B, in]?}, {@code (T1, T2)}, {@code [Int]}) and their dimensions. */
final class TypeBuilder {
    private final Spans spans;
    private final Diagnostics diags;
    private final ExprBuilder exprs;

    TypeBuilder(Spans spans, Diagnostics diags, ExprBuilder exprs) {
        this.spans = spans;
        this.diags = diags;
        this.exprs = exprs;
    }

    /** An optional type: null stays null. */
    TypeExpr type(DLParser.TypeContext ctx) {
        return switch (ctx) {
            case null -> null;
            case DLParser.TensorTypeContext t -> new TypeExpr.Tensor(spans.of(t), exprs.ident(t.name()),
                    t.dim().stream().map(this::dim).toList(), t.optional != null);
            case DLParser.NamedTypeContext n -> new TypeExpr.Named(spans.of(n), exprs.ident(n.name()), n.optional != null);
            case DLParser.TupleTypeContext t -> new TypeExpr.Tuple(spans.of(t),
                    t.type().stream().map(this::type).toList(), t.optional != null);
            case DLParser.ListTypeContext l -> new TypeExpr.ListOf(spans.of(l), type(l.type()), l.optional != null);
            default -> throw new IllegalStateException("unknown type form " + ctx.getClass());
        };
    }

    DimExpr dim(DLParser.DimContext ctx) {
        return switch (ctx) {
            case DLParser.EllipsisDimContext e -> new DimExpr.Ellipsis(spans.of(e));
            case DLParser.ParenDimContext p -> dim(p.dim());
            case DLParser.MulDimContext m -> new DimExpr.Bin(spans.of(m), m.op.getText(), dim(m.dim(0)), dim(m.dim(1)));
            case DLParser.AddDimContext a -> new DimExpr.Bin(spans.of(a), a.op.getText(), dim(a.dim(0)), dim(a.dim(1)));
            case DLParser.IntDimContext i -> intDim(i);
            case DLParser.NameDimContext n -> new DimExpr.Name(exprs.ident(n.name()));
            default -> throw new IllegalStateException("unknown dimension form " + ctx.getClass());
        };
    }

    private DimExpr intDim(DLParser.IntDimContext ctx) {
        Span span = spans.of(ctx);
        return new DimExpr.Lit(span, Literals.integer(ctx.getText(), span, diags));
    }
}
