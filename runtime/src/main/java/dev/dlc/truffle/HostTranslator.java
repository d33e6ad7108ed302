package dev.dlc.truffle;

import com.oracle.truffle.api.frame.FrameDescriptor;
import com.oracle.truffle.api.frame.FrameSlotKind;
import com.oracle.truffle.api.source.Source;
import dev.dlc.ast.Block;
import dev.dlc.ast.Decl;
import dev.dlc.ast.Expr;
import dev.dlc.ast.Stmt;
import dev.dlc.diag.Span;
import dev.dlc.truffle.nodes.DlExprNode;
import dev.dlc.truffle.nodes.DlRootNode;
import dev.dlc.truffle.nodes.DlStmtNode;
import dev.dlc.truffle.nodes.Expressions;
import dev.dlc.truffle.nodes.OperatorsFactory;
import dev.dlc.truffle.nodes.Statements;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a checked {@code main} block into Truffle nodes. Names were resolved by the checker;
 * here each {@code let} (and each loop variable) gets its own frame slot, so shadowing in a
 * nested block is a different slot, and a name that is not local is a top-level one
 * ({@link DlGlobal}). Constructs the checker allows but host code cannot run yet become nodes
 * that report so, at their position, when they run.
 */
final class HostTranslator {
    private final DlLanguage language;
    private final Source source;
    private final FrameDescriptor.Builder frame = FrameDescriptor.newBuilder();
    private final Deque<Map<String, Integer>> scopes = new ArrayDeque<>();

    HostTranslator(DlLanguage language, Source source) {
        this.language = language;
        this.source = source;
    }

    /** The program's {@code train} blocks in order (each runs when the context selects it), then its {@code main} block. */
    DlRootNode program(dev.dlc.Compiler.Compilation c) {
        var stmts = new ArrayList<DlStmtNode>();
        Decl.MainDecl main = null;
        for (Decl d : c.program().root().decls()) {
            if (d instanceof Decl.TrainDecl t) stmts.add(new Statements.Train(t.name().name()).at(t.name().span()));
            if (d instanceof Decl.MainDecl m) main = m;
        }
        if (main != null) stmts.add(new Statements.Main(block(main.body())).at(main.span()));
        var section = main == null ? source.createUnavailableSection() : source.createSection(main.span().start(), main.span().end() - main.span().start());
        return new DlRootNode(language, frame.build(), new Statements.Block(stmts.toArray(DlStmtNode[]::new)), source, section, c);
    }

    private DlStmtNode block(Block b) {
        scopes.push(new HashMap<>());
        try {
            return new Statements.Block(b.stmts().stream().map(this::stmt).toArray(DlStmtNode[]::new)).at(b.span());
        } finally {
            scopes.pop();
        }
    }

    private DlStmtNode stmt(Stmt s) {
        return switch (s) {
            case Stmt.Let l -> let(l);
            case Stmt.Assign a -> assign(a);
            case Stmt.For f -> {
                DlExprNode iterable = expr(f.iterable());
                int items = slot("(items)"), index = slot("(index)");
                scopes.push(new HashMap<>());
                try {
                    int var = declare(f.var().name());
                    yield new Statements.For(iterable, var, items, index, block(f.body())).at(f.span());
                } finally {
                    scopes.pop();
                }
            }
            case Stmt.If i -> new Statements.If(expr(i.cond()), block(i.thenBlock()), i.elseBlock() == null ? null : block(i.elseBlock())).at(i.span());
            case Stmt.ExprStmt e -> new Statements.ExprStmt(expr(e.expr())).at(e.span());
            case Stmt.Return r -> unsupportedStmt("return", r.span());
        };
    }

    /** The value is translated before the names are declared: {@code let x = x + 1} reads the outer x. */
    private DlStmtNode let(Stmt.Let l) {
        DlExprNode value = expr(l.value());
        return switch (l.pattern()) {
            case Stmt.Pattern.Name n -> new Statements.WriteLocal(declare(n.ident().name()), value).at(l.span());
            case Stmt.Pattern.Tuple t -> {
                if (!t.parts().stream().allMatch(Stmt.Pattern.Name.class::isInstance)) yield unsupportedStmt("nested unpacking", t.span());
                int[] slots = t.parts().stream().mapToInt(p -> declare(((Stmt.Pattern.Name) p).ident().name())).toArray();
                yield new Statements.Unpack(slots, value).at(l.span());
            }
        };
    }

    /** The checker allows only names as assignment targets. */
    private DlStmtNode assign(Stmt.Assign a) {
        DlExprNode value = expr(a.value());
        return switch (a.target()) {
            case Expr.Name n when lookup(n.name()) != null -> new Statements.WriteLocal(lookup(n.name()), value).at(a.span());
            default -> unsupportedStmt("this assignment", a.target().span());
        };
    }

    private DlExprNode expr(Expr e) {
        return switch (e) {
            case Expr.IntLit i -> new Expressions.Const(i.value()).at(e.span());
            case Expr.FloatLit f -> new Expressions.Const(f.value()).at(e.span());
            case Expr.StrLit s -> new Expressions.Const(s.value()).at(e.span());
            case Expr.BoolLit b -> new Expressions.Const(b.value()).at(e.span());
            case Expr.Name n -> {
                Integer slot = lookup(n.name());
                if (slot != null) yield new Expressions.ReadLocal(slot).at(e.span());
                yield new Expressions.Const(n.name().equals("None") ? DlNone.INSTANCE : new DlGlobal(n.name())).at(e.span());
            }
            case Expr.ListLit l -> new Expressions.ListLit(exprs(l.items()), false).at(e.span());
            case Expr.TupleLit t -> new Expressions.ListLit(exprs(t.items()), true).at(e.span());
            case Expr.Index ix when ix.items().size() == 1 && ix.items().getFirst() instanceof Expr.IndexItem.Point p ->
                    new Expressions.Index(expr(ix.target()), expr(p.index())).at(e.span());
            case Expr.Index ix -> unsupported("slicing", ix.span());
            case Expr.Call c when c.callee() instanceof Expr.Name n && lookup(n.name()) == null -> call(c, n.name());
            case Expr.Call c -> unsupported("calling " + c.callee().span().text(), c.span());
            case Expr.Binary b -> binary(b);
            case Expr.Unary u -> switch (u.op()) {
                case NEG -> OperatorsFactory.NegNodeGen.create(expr(u.operand())).at(e.span());
                case PLUS -> expr(u.operand());
                case NOT -> new Expressions.Not(expr(u.operand())).at(e.span());
            };
            case Expr.If i -> new Expressions.IfExpr(expr(i.cond()), expr(i.then()), expr(i.otherwise())).at(e.span());
            case Expr.Field f -> unsupported("field access", f.span());
            case Expr.Pipe p -> unsupported("|>", p.opSpan());
            case Expr.Seq s -> unsupported("seq", s.span());
            case Expr.Repeat r -> unsupported("repeat", r.span());
        };
    }

    private DlExprNode call(Expr.Call c, String name) {
        var args = new ArrayList<DlExprNode>();
        var keywords = new ArrayList<String>();
        for (Expr.Arg a : c.args()) {
            args.add(expr(a.value()));
            keywords.add(a.keyword() == null ? null : a.keyword().name());
        }
        return new Expressions.Call(name, args.toArray(DlExprNode[]::new), keywords.toArray(String[]::new)).at(c.span());
    }

    /** Operators point at the operator as written, as the checker's messages do. */
    private DlExprNode binary(Expr.Binary b) {
        DlExprNode l = expr(b.left()), r = expr(b.right());
        DlExprNode node = switch (b.op()) {
            case ADD -> OperatorsFactory.AddNodeGen.create(l, r);
            case SUB -> OperatorsFactory.SubNodeGen.create(l, r);
            case MUL -> OperatorsFactory.MulNodeGen.create(l, r);
            case DIV -> OperatorsFactory.DivNodeGen.create(l, r);
            case FLOORDIV -> OperatorsFactory.FloorDivNodeGen.create(l, r);
            case MOD -> OperatorsFactory.ModNodeGen.create(l, r);
            case POW -> OperatorsFactory.PowNodeGen.create(l, r);
            case LT, LE, GT, GE -> OperatorsFactory.CompareNodeGen.create(b.op().symbol, l, r);
            case EQ -> OperatorsFactory.EqualNodeGen.create(false, l, r);
            case NE -> OperatorsFactory.EqualNodeGen.create(true, l, r);
            case AND -> new Expressions.Logical(l, r, true);
            case OR -> new Expressions.Logical(l, r, false);
            case MATMUL -> new Expressions.Unsupported("@ on host values");
        };
        return node.at(b.opSpan());
    }

    private DlExprNode[] exprs(List<Expr> es) { return es.stream().map(this::expr).toArray(DlExprNode[]::new); }

    private DlExprNode unsupported(String what, Span at) { return new Expressions.Unsupported(what).at(at); }

    private DlStmtNode unsupportedStmt(String what, Span at) { return new Statements.ExprStmt(unsupported(what, at)).at(at); }

    private int slot(String name) { return frame.addSlot(FrameSlotKind.Illegal, name, null); }

    private int declare(String name) {
        int s = slot(name);
        scopes.peek().put(name, s);
        return s;
    }

    private Integer lookup(String name) {
        for (var scope : scopes) {
            Integer s = scope.get(name);
            if (s != null) return s;
        }
        return null;
    }
}
