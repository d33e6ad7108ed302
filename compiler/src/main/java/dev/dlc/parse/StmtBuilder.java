package dev.dlc.parse;

import dev.dlc.ast.Block;
import dev.dlc.ast.Stmt;
import dev.dlc.diag.Diagnostics;
import dev.dlc.grammar.DLParser;
import java.util.List;
import java.util.Objects;

/** Blocks, statements and let patterns. */
final class StmtBuilder {
    private final Spans spans;
    private final Diagnostics diags;
    private final ExprBuilder exprs;
    private final TypeBuilder types;

    StmtBuilder(Spans spans, Diagnostics diags, ExprBuilder exprs, TypeBuilder types) {
        this.spans = spans;
        this.diags = diags;
        this.exprs = exprs;
        this.types = types;
    }

    Block block(DLParser.BlockContext ctx) {
        return new Block(spans.of(ctx), ctx.stmt().stream().map(this::stmt).filter(Objects::nonNull).toList());
    }

    /** A statement, or null for an empty one ({@code ;}). */
    Stmt stmt(DLParser.StmtContext ctx) {
        return switch (ctx) {
            case DLParser.LetStmtContext l -> new Stmt.Let(spans.of(l), pattern(l.pattern()),
                    types.type(l.type()), exprs.expr(l.expr()));
            case DLParser.ReturnStmtContext r -> new Stmt.Return(spans.of(r), exprs.expr(r.expr()));
            case DLParser.ForStmtContext f -> new Stmt.For(spans.of(f), exprs.ident(f.name()),
                    exprs.expr(f.expr()), block(f.block()));
            case DLParser.IfStmtContext i -> ifStmt(i);
            case DLParser.ExprStmtContext e -> e.value == null
                    ? new Stmt.ExprStmt(spans.of(e), exprs.expr(e.target))
                    : new Stmt.Assign(spans.of(e), exprs.expr(e.target), exprs.expr(e.value));
            case DLParser.EmptyStmtContext _ -> null;
            default -> throw new IllegalStateException("unknown statement form " + ctx.getClass());
        };
    }

    /**
     * {@code else if} becomes an else block that holds one If, so later phases see only
     * one shape. The grammar lets any statement follow {@code else} (a rule of its own
     * for the else-if tail would rename the visitor methods), so other statements are
     * refused here.
     */
    private Stmt ifStmt(DLParser.IfStmtContext ctx) {
        Block elseBlock = null;
        if (ctx.elseBlock != null) {
            elseBlock = block(ctx.elseBlock);
        } else if (ctx.ifTail != null) {
            if (!(ctx.ifTail instanceof DLParser.IfStmtContext)) {
                diags.error(spans.of(ctx.ifTail.getStart()), "expected '{' or 'if' after 'else' but found '"
                        + ctx.ifTail.getStart().getText() + "'");
            }
            Stmt tail = stmt(ctx.ifTail);
            elseBlock = new Block(spans.of(ctx.ifTail), tail == null ? List.of() : List.of(tail));
        }
        return new Stmt.If(spans.of(ctx), exprs.expr(ctx.expr()), block(ctx.block(0)), elseBlock);
    }

    Stmt.Pattern pattern(DLParser.PatternContext ctx) {
        return switch (ctx) {
            case DLParser.NamePatternContext n -> new Stmt.Pattern.Name(exprs.ident(n.name()));
            case DLParser.TuplePatternContext t -> new Stmt.Pattern.Tuple(spans.of(t),
                    t.pattern().stream().map(this::pattern).toList());
            default -> throw new IllegalStateException("unknown pattern form " + ctx.getClass());
        };
    }
}
