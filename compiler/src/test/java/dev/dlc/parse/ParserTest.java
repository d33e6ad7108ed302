package dev.dlc.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ast.Decl;
import dev.dlc.ast.DimExpr;
import dev.dlc.ast.Expr;
import dev.dlc.ast.Member;
import dev.dlc.ast.Module;
import dev.dlc.ast.Stmt;
import dev.dlc.ast.TypeExpr;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Source;
import dev.dlc.diag.Span;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParserTest {

    static Module parseClean(String text) {
        var diags = new Diagnostics();
        Module m = Parser.parse("test", new Source("test.dl", text), diags);
        assertFalse(diags.hasErrors(), () -> diags.render());
        return m;
    }

    /** The body of {@code fn t() = EXPR}. */
    static Expr expr(String text) {
        var fn = (Decl.FnDecl) parseClean("fn t() = " + text).decls().getFirst();
        return ((Decl.Body.ExprBody) fn.body()).expr();
    }

    @Test void everyExampleOfTheContractParses() {
        for (String example : Examples.ALL) assertFalse(parseClean(example).decls().isEmpty());
    }

    @Test void logisticRegression() {
        var decls = parseClean(Examples.LOGISTIC).decls();
        var fn = (Decl.FnDecl) decls.get(0);
        assertEquals("sigmoid_bce", fn.name().name());
        assertEquals(List.of("z", "y"), fn.params().stream().map(p -> p.name().name()).toList());
        var result = (TypeExpr.Tensor) fn.result();
        assertEquals("f32", result.dtype().name());
        assertTrue(result.dims().isEmpty());
        var layer = (Decl.LayerDecl) decls.get(1);
        assertNull(layer.body());
        assertEquals(3, layer.members().size());
        var forward = (Member.MethodMember) layer.members().get(2);
        assertEquals("(+ (@ x w) b)", Sexp.of(((Decl.Body.ExprBody) forward.body()).expr()));
        var b = (Member.ParamMember) layer.members().get(1);
        assertEquals("0.0", Sexp.of(b.init()));
    }

    @Test void mlpSeqAndTrainBlock() {
        var decls = parseClean(Examples.MLP).decls();
        var use = (Decl.Use) decls.get(0);
        assertEquals("std.nn", use.target());
        assertFalse(use.isFile());
        var mlp = (Decl.LayerDecl) decls.get(2);
        assertEquals("(seq (call Flatten) (call Linear hidden) (call ReLU) (call Dropout 0.5) (call Linear classes))",
                Sexp.of(mlp.body()));
        assertEquals("256", Sexp.of(mlp.params().get(0).defaultValue()));
        var train = (Decl.TrainDecl) decls.get(3);
        assertEquals(List.of("model", "data", "loss", "optimizer", "epochs", "metrics"),
                train.entries().stream().map(e -> e.key().name()).toList());
        assertEquals("(call sgd lr=0.1)", Sexp.of(train.entries().get(3).value()));
    }

    @Test void semicolonsSeparateSeqItems() {
        var lenet = (Decl.LayerDecl) parseClean(Examples.LENET).decls().get(1);
        var seq = (Expr.Seq) lenet.body();
        assertEquals(12, seq.items().size());
        assertEquals("(call AvgPool2d 2 stride=2)", Sexp.of(seq.items().get(2)));
    }

    @Test void optimizerAndSchedule() {
        var decls = parseClean(Examples.ADAM).decls();
        var adam = (Decl.OptimizerDecl) decls.get(0);
        assertInstanceOf(Member.StateMember.class, adam.members().get(0));
        var update = (Member.MethodMember) adam.members().get(2);
        var body = ((Decl.Body.BlockBody) update.body()).block().stmts();
        assertEquals(3, body.size());
        var m = (Stmt.Assign) body.get(0);
        assertEquals("(+ (* beta1 m) (* (- 1 beta1) g))", Sexp.of(m.value()));
        var schedule = (Decl.ScheduleDecl) decls.get(1);
        assertEquals(3, schedule.hyper().size());
        assertEquals("step", schedule.args().getFirst().name().name());
        assertInstanceOf(Expr.If.class, ((Decl.Body.ExprBody) schedule.body()).expr());
    }

    @Test void attention() {
        var fn = (Decl.FnDecl) parseClean(Examples.ATTENTION).decls().getFirst();
        assertTrue(fn.params().get(3).type().optional());
        var stmts = ((Decl.Body.BlockBody) fn.body()).block().stmts();
        assertEquals("(/ (@ q (call transpose k (- 1) (- 2))) (call sqrt D))", Sexp.of(((Stmt.Let) stmts.get(0)).value()));
        assertEquals("(if mask (call masked_fill scores (not mask) (- 1.0E9)) scores)",
                Sexp.of(((Stmt.Let) stmts.get(1)).value()));
        assertEquals("(@ (call softmax scores axis=(- 1)) v)", Sexp.of(((Stmt.Return) stmts.get(2)).value()));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", value = {
        "a + b * c                 => (+ a (* b c))",
        "a - b - c                 => (- (- a b) c)",
        "-x ** 2                   => (- (** x 2))",
        "2 ** -1                   => (** 2 (- 1))",
        "a ** b ** c               => (** a (** b c))",
        "x @ w + b                 => (+ (@ x w) b)",
        "x |> f |> g(axis = 1)     => (|> (|> x f) (call g axis=1))",
        "if c then a else b        => (if c a b)",
        "a or b and not c          => (or a (and b (not c)))",
        "a or b or c               => (or (or a b) c)",
        "a < b + 1                 => (< a (+ b 1))",
        "x[..., 1:]                => (index x ... (: 1 _ _))",
        "x[:, -1, :]               => (index x (: _ _ _) (- 1) (: _ _ _))",
        "x[::2]                    => (index x (: _ _ 2))",
        "x[1:n:2, 0]               => (index x (: 1 n 2) 0)",
        "a.b.c(1)[0]               => (index (call (. (. a b) c) 1) 0)",
        "(a, b)                    => (tuple a b)",
        "(a,)                      => (tuple a)",
        "[1, 2, 3,]                => (list 1 2 3)",
        "(a)                       => a",
        "repeat 2 { Block(); ReLU() } => (repeat 2 (call Block) (call ReLU))",
        "1_000 + 2.5e-3            => (+ 1000 0.0025)",
        "x // 2 % 3                => (% (// x 2) 3)",
        "f(state = s, optimizer = o) => (call f state=s optimizer=o)",
    })
    void precedenceAndShapes(String source, String expected) {
        assertEquals(expected, Sexp.of(expr(source)));
    }

    @Test void stringEscapes() {
        assertEquals("a\nb\t\"c\"\\", ((Expr.StrLit) expr("\"a\\nb\\t\\\"c\\\"\\\\\"")).value());
    }

    @Test void spansCoverTheirText() {
        String text = "fn f(x: f32[B, 4]) -> f32[B] =\n    relu(x @ w) + b\n";
        var fn = (Decl.FnDecl) parseClean(text).decls().getFirst();
        var sum = (Expr.Binary) ((Decl.Body.ExprBody) fn.body()).expr();
        assertEquals("relu(x @ w) + b", sum.span().text());
        assertEquals(2, sum.span().line());
        assertEquals(5, sum.span().column());
        assertEquals("+", sum.opSpan().text());
        assertEquals(17, sum.opSpan().column());
        var call = (Expr.Call) sum.left();
        var matmul = (Expr.Binary) call.args().getFirst().value();
        assertEquals("x @ w", matmul.span().text());
        assertEquals("@", matmul.opSpan().text());
        var tensor = (TypeExpr.Tensor) fn.params().getFirst().type();
        assertEquals("f32[B, 4]", tensor.span().text());
        assertEquals("4", tensor.dims().get(1).span().text());
        assertEquals("f", fn.name().span().text());
        assertEquals(text.strip(), fn.span().text());
    }

    @Test void spansCountCharsAfterAnAstralCharacter() {
        var fn = (Decl.FnDecl) parseClean("# 😀\nfn f() = a + b").decls().getFirst();
        Span sum = ((Decl.Body.ExprBody) fn.body()).expr().span();
        assertEquals("a + b", sum.text());
        assertEquals(10, sum.column());
    }

    @Test void pipeOperatorSpan() {
        var pipe = (Expr.Pipe) expr("x |> relu");
        assertEquals("|>", pipe.opSpan().text());
        assertEquals("x |> relu", pipe.span().text());
    }

    @Test void elseIfBecomesAnElseBlockWithOneIf() {
        var main = (Decl.MainDecl) parseClean("""
                main {
                    if a { print(1) } else if b { print(2) } else { print(3) }
                }
                """).decls().getFirst();
        var outer = (Stmt.If) main.body().stmts().getFirst();
        var inner = (Stmt.If) outer.elseBlock().stmts().getFirst();
        assertEquals("b", Sexp.of(inner.cond()));
        assertEquals(1, inner.elseBlock().stmts().size());
        assertEquals("if b { print(2) } else { print(3) }", outer.elseBlock().span().text());
    }

    @Test void statementsOfAHostProgram() {
        var main = (Decl.MainDecl) parseClean("""
                main {
                    let (y, h) = rnn(x); let n: Int = 3
                    for b in blocks { x = b(x) }
                    w[0] = 1
                    print("done")
                }
                """).decls().getFirst();
        var stmts = main.body().stmts();
        assertEquals(5, stmts.size());
        var let = (Stmt.Let) stmts.get(0);
        assertEquals(2, ((Stmt.Pattern.Tuple) let.pattern()).parts().size());
        assertInstanceOf(TypeExpr.Named.class, ((Stmt.Let) stmts.get(1)).type());
        assertEquals("b", ((Stmt.For) stmts.get(2)).var().name());
        assertEquals("(index w 0)", Sexp.of(((Stmt.Assign) stmts.get(3)).target()));
        assertInstanceOf(Stmt.ExprStmt.class, stmts.get(4));
    }

    @Test void membersIncludingConditionalOnes() {
        var layer = (Decl.LayerDecl) parseClean("""
                layer Linear(out: Int, bias: Bool = true) {
                    param W: f32[in, out] = xavier_uniform
                    buffer seen: i64[] = zeros
                    if bias { param b: f32[out] = zeros } else { ; }
                    act = relu
                    forward(x: f32[..., in]) -> f32[..., out] { return x @ W }
                }
                """).decls().getFirst();
        var cond = (Member.IfMember) layer.members().get(2);
        assertEquals(1, cond.then().size());
        assertTrue(cond.otherwise().isEmpty());
        assertInstanceOf(Member.BufferMember.class, layer.members().get(1));
        assertInstanceOf(Member.ChildMember.class, layer.members().get(3));
        var w = (Member.ParamMember) layer.members().get(0);
        assertEquals("in", ((DimExpr.Name) ((TypeExpr.Tensor) w.type()).dims().get(0)).ident().name());
    }

    @Test void typesAndDimensionExpressions() {
        var fn = (Decl.FnDecl) parseClean(
                "fn f(a: f32[..., H / 2, C * 4 + 1], b: (f32[B], Int)?, c: [Int]) -> Float = 0").decls().getFirst();
        var a = (TypeExpr.Tensor) fn.params().get(0).type();
        assertInstanceOf(DimExpr.Ellipsis.class, a.dims().get(0));
        var sum = (DimExpr.Bin) a.dims().get(2);
        assertEquals("+", sum.op());
        assertEquals("*", ((DimExpr.Bin) sum.left()).op());
        var b = (TypeExpr.Tuple) fn.params().get(1).type();
        assertTrue(b.optional());
        assertInstanceOf(TypeExpr.ListOf.class, fn.params().get(2).type());
    }

    @Test void aByteOrderMarkIsWhitespace() {
        assertEquals(1, parseClean("\uFEFFfn f() = 1").decls().size());
    }

    @Test void emptyFileIsAnEmptyModule() {
        assertTrue(parseClean("").decls().isEmpty());
        assertTrue(parseClean("# only a comment\n;\n").decls().isEmpty());
    }
}
