package dev.dlc.parse;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Member;
import dev.dlc.diag.Diagnostics;
import dev.dlc.grammar.DLBaseVisitor;
import dev.dlc.grammar.DLParser;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.tree.ErrorNode;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * Parse tree to AST, one top-level declaration at a time. A declaration in which the
 * parser met a syntax error is skipped whole: the error is already reported, and what
 * ANTLR's recovery left of it (conjured tokens, missing children) is not a program.
 */
final class AstBuilder extends DLBaseVisitor<Decl> {
    private final Spans spans;
    private final Diagnostics diags;
    private final ExprBuilder exprs;
    private final TypeBuilder types;
    private final StmtBuilder stmts;

    AstBuilder(Spans spans, Diagnostics diags) {
        this.spans = spans;
        this.diags = diags;
        this.exprs = new ExprBuilder(spans, diags);
        this.types = new TypeBuilder(spans, diags, exprs);
        this.stmts = new StmtBuilder(spans, diags, exprs, types);
    }

    List<Decl> decls(DLParser.ProgramContext program) {
        return program.topDecl().stream()
                .filter(d -> !hasSyntaxError(d))
                .map(this::visit)
                .filter(Objects::nonNull).toList();
    }

    /** True if recovery touched this subtree: a rule that failed, or a token it conjured or skipped. */
    static boolean hasSyntaxError(ParseTree tree) {
        if (tree instanceof ErrorNode) return true;
        if (tree instanceof ParserRuleContext ctx) {
            if (ctx.exception != null) return true;
            for (int i = 0; i < ctx.getChildCount(); i++) if (hasSyntaxError(ctx.getChild(i))) return true;
        }
        return false;
    }

    // ------------------------------------------------------------ declarations

    @Override public Decl visitUseModule(DLParser.UseModuleContext ctx) {
        String target = ctx.dottedName().name().stream().map(ParseTree::getText).collect(Collectors.joining("."));
        return new Decl.Use(spans.of(ctx), target, false);
    }

    @Override public Decl visitUseFile(DLParser.UseFileContext ctx) {
        var path = ctx.STRING();
        return new Decl.Use(spans.of(ctx), Literals.string(path.getText(), spans.of(path), diags), true);
    }

    @Override public Decl visitLayerDecl(DLParser.LayerDeclContext ctx) {
        return new Decl.LayerDecl(spans.of(ctx), exprs.ident(ctx.name()), params(ctx.params()),
                members(ctx.member()), exprs.expr(ctx.expr()));
    }

    @Override public Decl visitFnDecl(DLParser.FnDeclContext ctx) {
        return new Decl.FnDecl(spans.of(ctx), exprs.ident(ctx.name()), params(ctx.params()),
                types.type(ctx.type()), body(ctx.body()));
    }

    @Override public Decl visitOptimizerDecl(DLParser.OptimizerDeclContext ctx) {
        return new Decl.OptimizerDecl(spans.of(ctx), exprs.ident(ctx.name()), params(ctx.params()), members(ctx.member()));
    }

    @Override public Decl visitScheduleDecl(DLParser.ScheduleDeclContext ctx) {
        return new Decl.ScheduleDecl(spans.of(ctx), exprs.ident(ctx.name()), params(ctx.params(0)),
                params(ctx.params(1)), types.type(ctx.type()), body(ctx.body()));
    }

    @Override public Decl visitTrainDecl(DLParser.TrainDeclContext ctx) {
        List<Decl.TrainEntry> entries = ctx.trainEntry().stream()
                .filter(DLParser.TrainKeyContext.class::isInstance)
                .map(e -> (DLParser.TrainKeyContext) e)
                .map(e -> new Decl.TrainEntry(exprs.ident(e.key()), exprs.expr(e.expr())))
                .toList();
        return new Decl.TrainDecl(spans.of(ctx), exprs.ident(ctx.name()), entries);
    }

    @Override public Decl visitMainDecl(DLParser.MainDeclContext ctx) {
        return new Decl.MainDecl(spans.of(ctx), stmts.block(ctx.block()));
    }

    @Override public Decl visitEmptyDecl(DLParser.EmptyDeclContext ctx) { return null; }

    // ------------------------------------------------------------ parts

    private List<Decl.Param> params(DLParser.ParamsContext ctx) {
        return ctx.param().stream().map(p -> new Decl.Param(spans.of(p), exprs.ident(p.name()),
                types.type(p.type()), exprs.expr(p.expr()))).toList();
    }

    private Decl.Body body(DLParser.BodyContext ctx) {
        return switch (ctx) {
            case DLParser.ExprBodyContext e -> new Decl.Body.ExprBody(exprs.expr(e.expr()));
            case DLParser.BlockBodyContext b -> new Decl.Body.BlockBody(stmts.block(b.block()));
            default -> throw new IllegalStateException("unknown body form " + ctx.getClass());
        };
    }

    private List<Member> members(List<DLParser.MemberContext> members) {
        return members.stream().map(this::member).filter(Objects::nonNull).toList();
    }

    /** A layer or optimizer member, or null for an empty one ({@code ;}). */
    private Member member(DLParser.MemberContext ctx) {
        return switch (ctx) {
            case DLParser.ParamMemberContext p -> new Member.ParamMember(spans.of(p), exprs.ident(p.name()),
                    types.type(p.type()), exprs.expr(p.expr()));
            case DLParser.BufferMemberContext b -> new Member.BufferMember(spans.of(b), exprs.ident(b.name()),
                    types.type(b.type()), exprs.expr(b.expr()));
            case DLParser.StateMemberContext s -> new Member.StateMember(spans.of(s), exprs.ident(s.name()),
                    types.type(s.type()), exprs.expr(s.expr()));
            case DLParser.MethodMemberContext m -> new Member.MethodMember(spans.of(m), exprs.ident(m.name()),
                    params(m.params()), types.type(m.type()), body(m.body()));
            case DLParser.ChildMemberContext c -> new Member.ChildMember(spans.of(c), exprs.ident(c.name()),
                    exprs.expr(c.expr()));
            case DLParser.IfMemberContext i -> new Member.IfMember(spans.of(i), exprs.expr(i.cond),
                    members(i.thenM), members(i.elseM));
            case DLParser.EmptyMemberContext _ -> null;
            default -> throw new IllegalStateException("unknown member form " + ctx.getClass());
        };
    }
}
