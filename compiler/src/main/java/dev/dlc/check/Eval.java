package dev.dlc.check;

import dev.dlc.ast.Block;
import dev.dlc.ast.Expr;
import dev.dlc.ast.Stmt;
import dev.dlc.diag.Span;
import dev.dlc.ir.Node;
import dev.dlc.types.Dim;
import dev.dlc.types.DimError;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * The staged evaluator: evaluates expressions and statements to {@link Val}s. On config
 * values it computes; on tensors it type-checks each operation through the op table and
 * records an IR node. Every user error becomes a diagnostic and a {@link Val.Bad}.
 */
final class Eval {
    private final Checker ck;

    Eval(Checker ck) { this.ck = ck; }

    // ================================================================== expressions

    Val expr(Expr e, Ctx c) {
        if (!ck.step(e.span())) return new Val.Bad();
        return switch (e) {
            case Expr.IntLit i -> Val.Int.of(i.value());
            case Expr.FloatLit f -> new Val.Real(f.value());
            case Expr.StrLit s -> new Val.Str(s.value());
            case Expr.BoolLit b -> new Val.Bool(b.value());
            case Expr.Name n -> ck.names.resolve(n.name(), n.span(), c);
            case Expr.TupleLit t -> new Val.TupleV(t.items().stream().map(x -> expr(x, c)).toList());
            case Expr.ListLit l -> new Val.ListV(l.items().stream().map(x -> expr(x, c)).toList());
            case Expr.Call call -> ck.calls.call(call, c);
            case Expr.Pipe p -> pipe(p, c);
            case Expr.Binary b -> binary(b, c);
            case Expr.Unary u -> unary(u, c);
            case Expr.If i -> ifExpr(i, c);
            case Expr.Index ix -> ck.calls.index(ix, c);
            case Expr.Field f -> field(f, c);
            case Expr.Seq s -> ck.layers.seq(s, c);
            case Expr.Repeat r -> ck.layers.repeat(r, c);
        };
    }

    /** {@code x |> f} is {@code f(x)}; {@code x |> f(a, k = v)} is {@code f(x, a, k = v)}. */
    private Val pipe(Expr.Pipe p, Ctx c) {
        Val x = expr(p.lhs(), c);
        var first = new Val.Arg(null, x, p.lhs().span());
        if (p.rhs() instanceof Expr.Call call) {
            Val f = expr(call.callee(), c);
            var args = new ArrayList<Val.Arg>();
            args.add(first);
            args.addAll(ck.calls.args(call.args(), c));
            return ck.calls.invoke(f, args, call.span(), c);
        }
        return ck.calls.invoke(expr(p.rhs(), c), List.of(first), p.rhs().span(), c);
    }

    /** Records whether an optional argument was given, for {@code if mask then ...}. */
    static void markPresence(Env env, dev.dlc.ast.Decl.Param p, Val v) {
        if (p.type() != null && p.type().optional()) env.define(PRESENT + p.name().name(), new Val.Bool(!(v instanceof Val.None)));
    }

    /** Prefix of the hidden names that record whether optional arguments were given; it cannot be written in DL. */
    private static final String PRESENT = "?";

    /** A condition's compile-time value (null when not known), and what it evaluated to (null for a presence test). */
    record Test(Boolean known, Val value) {}

    /** A condition: an optional argument's name tests whether it was given; anything else is evaluated. */
    Test test(Expr cond, Ctx c) {
        if (cond instanceof Expr.Name n && c.env().lookup(PRESENT + n.name()) instanceof Val.Bool given) return new Test(given.value(), null);
        if (cond instanceof Expr.Unary u && u.op() == Expr.UnOp.NOT && u.operand() instanceof Expr.Name n
                && c.env().lookup(PRESENT + n.name()) instanceof Val.Bool given) return new Test(!given.value(), null);
        Val v = expr(cond, c);
        return new Test(condition(v, cond.span(), c), v);
    }

    private Val ifExpr(Expr.If i, Ctx c) {
        Test t = test(i.cond(), c);
        Boolean known = t.known();
        if (known == null) {
            if (t.value() instanceof Val.Bad) return t.value();
            // A condition known only at run time (host code, or a generic check): both
            // branches must type-check, and they must agree.
            Val a = expr(i.then(), c), b = expr(i.otherwise(), c);
            if (a instanceof Val.Tensor ta && b instanceof Val.Tensor tb && !ta.type().equals(tb.type())) {
                ck.diags.error(i.span(), "if: the branches have different types: " + ta.type() + " and " + tb.type());
                return new Val.Bad();
            }
            return a;
        }
        return expr(known ? i.then() : i.otherwise(), c);
    }

    /**
     * A condition's compile-time value: a Bool, or an optional argument (true when given).
     * Null when it is only known at run time, or after an error.
     */
    Boolean condition(Val v, Span span, Ctx c) {
        return switch (v) {
            case Val.Bool b -> b.value();
            case Val.None n -> false;
            case Val.Bad b -> null;
            case Val.Tensor t when t.type().dtype() == dev.dlc.types.DType.BOOL -> {
                ck.diags.error(span, "if: the condition is a tensor (" + t.type() + "); its value is not known when the program is compiled; use where(cond, a, b) to choose elementwise");
                yield null;
            }
            case Val.Tensor t -> true;       // an optional tensor argument that was given
            case Val.Int i when c.mode() == Ctx.Mode.HOST -> null;
            default -> {
                if (isOptionalGiven(v)) yield true;
                ck.diags.error(span, "if: expected a Bool condition, found " + Val.describe(v));
                yield null;
            }
        };
    }

    private static boolean isOptionalGiven(Val v) {
        return v instanceof Val.TupleV || v instanceof Val.ListV || v instanceof Val.Layer;
    }

    private Val field(Expr.Field f, Ctx c) {
        Val target = expr(f.target(), c);
        String name = f.field().name();
        return switch (target) {
            case Val.Bad b -> b;
            case Val.Layer l -> ck.layers.member(l.inst(), name, f.field().span());
            case Val.Data d when d.options().containsKey(name) -> d.options().get(name);
            default -> {
                if (c.mode() == Ctx.Mode.HOST) yield new Val.Bad();
                ck.diags.error(f.field().span(), Val.describe(target) + " has no field '" + name + "'");
                yield new Val.Bad();
            }
        };
    }

    // ================================================================== operators

    private Val unary(Expr.Unary u, Ctx c) {
        Val v = expr(u.operand(), c);
        return switch (u.op()) {
            case PLUS -> v;
            case NEG -> switch (v) {
                case Val.Int i when i.value() != null -> new Val.Int(i.value().negate());
                case Val.Int i -> Val.Int.UNKNOWN;
                case Val.Real r -> r.value() == null ? r : new Val.Real(-r.value());
                case Val.Tensor t -> ck.prims.operator("-", List.of(arg(t, u.operand())), u.span(), c);
                case Val.Bad b -> b;
                default -> badOperand("-", v, u.span());
            };
            case NOT -> switch (v) {
                case Val.Bool b -> b.value() == null ? b : new Val.Bool(!b.value());
                case Val.Tensor t -> ck.prims.operator("not", List.of(arg(t, u.operand())), u.span(), c);
                case Val.Bad b -> b;
                default -> badOperand("not", v, u.span());
            };
        };
    }

    private Val badOperand(String op, Val v, Span span) {
        ck.diags.error(span, "operator " + op + " is not defined for " + Val.describe(v));
        return new Val.Bad();
    }

    private static Val.Arg arg(Val v, Expr e) { return new Val.Arg(null, v, e.span()); }

    private Val binary(Expr.Binary b, Ctx c) {
        Val l = expr(b.left(), c), r = expr(b.right(), c);
        if (l instanceof Val.Bad || r instanceof Val.Bad) return new Val.Bad();
        if (l instanceof Val.Tensor || r instanceof Val.Tensor) return tensorBinary(b, l, r, c);
        if (c.mode() == Ctx.Mode.HOST && (l instanceof Val.Data || r instanceof Val.Data)) return new Val.Bad();
        try {
            Val v = Scalars.binary(b.op(), l, r);
            if (v != null) return v;
        } catch (DimError | ArithmeticException ex) {
            ck.diags.error(b.opSpan(), "operator " + b.op().symbol + ": " + ex.getMessage());
            return new Val.Bad();
        }
        ck.diags.error(b.opSpan(), "operator " + b.op().symbol + " is not defined for " + Val.describe(l) + " and " + Val.describe(r));
        return new Val.Bad();
    }

    /** Tensor arithmetic; a scalar operand becomes a constant of the tensor's dtype (`1 - y`). */
    private Val tensorBinary(Expr.Binary b, Val l, Val r, Ctx c) {
        String op = b.op().symbol;
        if (dev.dlc.ops.OpTable.binary(op).isEmpty()) {
            ck.diags.error(b.opSpan(), "operator " + b.op().symbol + " is not defined for tensors"
                    + (b.op() == Expr.BinOp.FLOORDIV ? "; use floor(a / b)" : ""));
            return new Val.Bad();
        }
        Type.Tensor like = l instanceof Val.Tensor t ? t.type() : ((Val.Tensor) r).type();
        Val lt = constant(l, like, b.left().span(), b.op().symbol, c);
        Val rt = constant(r, like, b.right().span(), b.op().symbol, c);
        if (lt instanceof Val.Bad || rt instanceof Val.Bad) return new Val.Bad();
        return ck.prims.operator(op, List.of(new Val.Arg(null, lt, b.left().span()), new Val.Arg(null, rt, b.right().span())), b.opSpan(), c);
    }

    /**
     * A scalar met by a tensor becomes a scalar constant of the tensor's dtype. An integer
     * adopts any dtype; a float needs a float tensor (dtypes never mix silently).
     */
    Val constant(Val v, Type.Tensor like, Span span, String op, Ctx c) {
        var dtype = like.dtype();
        return switch (v) {
            case Val.Tensor t -> t;
            case Val.Int i -> {
                if (i.value() != null && !i.value().isConst()) {
                    // A symbolic size (e.g. D in `x / D`) is a run-time constant of the program.
                    yield ck.prims.constant(Double.NaN, dtype.isBool() ? dev.dlc.types.DType.F32 : dtype, span, c);
                }
                yield ck.prims.constant(i.known() ? i.get() : Double.NaN, dtype, span, c);
            }
            case Val.Real r -> {
                if (!dtype.isFloat()) {
                    ck.diags.error(span, "operator " + op + ": a float value cannot meet an integer tensor (" + like
                            + "); cast explicitly, e.g. f32(x)");
                    yield new Val.Bad();
                }
                yield ck.prims.constant(r.value() == null ? Double.NaN : r.value(), dtype, span, c);
            }
            case Val.Bool bo when dtype.isBool() -> ck.prims.constant(Boolean.TRUE.equals(bo.value()) ? 1 : 0, dtype, span, c);
            case Val.Bad bad -> bad;
            default -> {
                ck.diags.error(span, "operator " + op + " is not defined for " + Val.describe(v) + " and a tensor");
                yield new Val.Bad();
            }
        };
    }

    // ================================================================== statements

    /** Runs a block; returns the value of its `return`, or null when it has none. */
    Val block(Block block, Ctx c) {
        for (Stmt s : block.stmts()) {
            Val r = stmt(s, c);
            if (r != null) return r;
        }
        return null;
    }

    private Val stmt(Stmt s, Ctx c) {
        switch (s) {
            case Stmt.Let let -> {
                Val v = expr(let.value(), c);
                if (let.type() != null) v = ck.calls.checkDeclared(let.type(), v, let.value().span(), "let", c);
                bindPattern(let.pattern(), v, c);
            }
            case Stmt.Assign a -> assign(a, c);
            case Stmt.Return r -> { return expr(r.value(), c); }
            case Stmt.ExprStmt e -> {
                Val v = expr(e.expr(), c);
                // What follows a failed requirement would only report its consequences.
                if (v instanceof Val.Bad && isRequire(e.expr())) return v;
                // A call that gives nothing (require) is a statement; other values were wanted.
                boolean statement = e.expr() instanceof Expr.Call && v instanceof Val.None;
                if (c.mode() != Ctx.Mode.HOST && !(v instanceof Val.Bad) && !statement)
                    ck.diags.warning(e.span(), "the value of this expression is not used");
            }
            case Stmt.If i -> {
                Boolean known = test(i.cond(), c).known();
                if (known == null) {
                    Val r1 = block(i.thenBlock(), c.withEnv(c.env().child()));
                    Val r2 = i.elseBlock() == null ? null : block(i.elseBlock(), c.withEnv(c.env().child()));
                    if (r1 != null) return r1;
                    if (r2 != null) return r2;
                } else if (known) {
                    return block(i.thenBlock(), c.withEnv(c.env().child()));
                } else if (i.elseBlock() != null) {
                    return block(i.elseBlock(), c.withEnv(c.env().child()));
                }
            }
            case Stmt.For f -> { return forLoop(f, c); }
        }
        return null;
    }

    private static boolean isRequire(Expr e) {
        return e instanceof Expr.Call call && call.callee() instanceof Expr.Name n && n.name().equals("require");
    }

    private void assign(Stmt.Assign a, Ctx c) {
        Val v = expr(a.value(), c);
        if (!(a.target() instanceof Expr.Name n)) {
            if (c.mode() == Ctx.Mode.HOST && a.target() instanceof Expr.Field) { expr(a.target(), c); return; }
            ck.diags.error(a.target().span(), "cannot assign to this expression; only a name can be assigned");
            return;
        }
        Val old = c.env().lookup(n.name());
        if (old == null && c.self() != null && c.self().params.containsKey(n.name())) {
            var p = c.self().params.get(n.name());
            if (p.trainable()) {
                ck.diags.error(n.span(), "cannot assign to parameter '" + n.name() + "': parameters change only through the optimizer; declare it as a buffer to update it in forward");
                return;
            }
            var before = new Val.Tensor(p.type(), p.node());
            checkSameType(n, before, v);
            if (c.mode() == Ctx.Mode.STAGED && v instanceof Val.Tensor t && t.type().equals(p.type()) && t.node() != null)
                ck.bufferWrites.put(p.node(), t.node());
            return;
        }
        String fixed = c.env().readOnlyKind(n.name());
        if (old == null && c.self() != null && (c.self().config.containsKey(n.name()) || c.self().values.containsKey(n.name())))
            fixed = c.self().config.containsKey(n.name()) ? "config parameter" : "member";
        if (fixed != null) {
            ck.diags.error(n.span(), "cannot assign to " + fixed + " '" + n.name() + "'; bind a new name with `let`");
            return;
        }
        if (old == null) {
            ck.diags.error(n.span(), "cannot assign to '" + n.name() + "': it is not defined; use `let " + n.name() + " = ...` to define it"
                    + ck.names.suggestion(n.name(), c));
            c.env().define(n.name(), new Val.Bad());      // reported once, not at every later use
            return;
        }
        // Locals may change type (an unrolled loop that grows a tensor); buffers, p and states may not.
        if (c.env().typeFixed(n.name())) checkSameType(n, old, v);
        c.env().assign(n.name(), v);
    }

    private void checkSameType(Expr.Name n, Val old, Val v) {
        if (old instanceof Val.Tensor o && v instanceof Val.Tensor t && !o.type().equals(t.type()))
            ck.diags.error(n.span(), "cannot assign " + t.type() + " to '" + n.name() + "', which has type " + o.type());
    }

    void bindPattern(Stmt.Pattern p, Val v, Ctx c) {
        switch (p) {
            case Stmt.Pattern.Name n -> c.env().define(n.ident().name(), v);
            case Stmt.Pattern.Tuple t -> {
                List<Val> parts = switch (v) {
                    case Val.TupleV tv -> tv.items();
                    case Val.ListV lv -> lv.items();
                    default -> null;
                };
                if (parts == null || parts.size() != t.parts().size()) {
                    if (!(v instanceof Val.Bad) && !(c.mode() == Ctx.Mode.HOST))
                        ck.diags.error(t.span(), "cannot unpack " + Val.describe(v) + " into " + t.parts().size() + " names");
                    for (var sub : t.parts()) bindPattern(sub, new Val.Bad(), c);
                    return;
                }
                for (int i = 0; i < parts.size(); i++) bindPattern(t.parts().get(i), parts.get(i), c);
            }
        }
    }

    /** Loops are unrolled when their length is known; otherwise the body is checked once. */
    private Val forLoop(Stmt.For f, Ctx c) {
        Val it = expr(f.iterable(), c);
        List<Val> items = switch (it) {
            case Val.ListV l -> l.items();
            case Val.TupleV t -> t.items();
            case Val.Layer l when l.inst().kind != LayerInst.Kind.DECL -> l.inst().items.stream().map(i -> (Val) new Val.Layer(i)).toList();
            case Val.Bad b -> List.of(b);
            case Val.Data d -> List.of(new Val.Bad());
            default -> {
                if (c.mode() != Ctx.Mode.HOST) ck.diags.error(f.iterable().span(), "for: cannot iterate over " + Val.describe(it));
                yield List.of(new Val.Bad());
            }
        };
        for (Val item : items) {
            Env scope = c.env().child();
            scope.define(f.var().name(), item);
            Val r = block(f.body(), c.withEnv(scope));
            if (r != null) return r;
        }
        return null;
    }

    /** The symbolic length {@code n} of {@code range(n)}: the list [0, n) when known, else one unknown index. */
    static Val range(Val.Int n) {
        if (n.known() && n.get() >= 0 && n.get() <= 100_000) {
            var items = new ArrayList<Val>();
            for (long i = 0; i < n.get(); i++) items.add(Val.Int.of(i));
            return new Val.ListV(items);
        }
        return new Val.ListV(List.of(Val.Int.UNKNOWN));
    }

}
