package dev.dlc.check;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Expr;
import dev.dlc.ast.TypeExpr;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Span;
import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Calls: argument binding, declared-type conformance, fn inlining, indexing. */
final class Calls {
    private final Checker ck;
    private int depth;
    /** Staged fns are inlined: calls nest as deep as the program's call chain. */
    static final int MAX_DEPTH = 256;

    Calls(Checker ck) { this.ck = ck; }

    List<Val.Arg> args(List<Expr.Arg> args, Ctx c) {
        var out = new ArrayList<Val.Arg>();
        for (Expr.Arg a : args)
            out.add(new Val.Arg(a.keyword() == null ? null : a.keyword().name(), ck.eval.expr(a.value(), c), a.span()));
        return out;
    }

    Val call(Expr.Call call, Ctx c) {
        if (call.callee() instanceof Expr.Name n && n.name().equals("then")) return then(call, c);
        Val f = ck.eval.expr(call.callee(), c);
        // In host code a fn given only keywords is configured, not called: a loss or metric
        // for fit and evaluate (cross_entropy(label_smoothing = 0.1)), as in a train block.
        if (c.mode() == Ctx.Mode.HOST && f instanceof Val.Fn fn && fn.callee() instanceof Callee.Fn
                && !call.args().isEmpty() && call.args().stream().allMatch(a -> a.keyword() != null))
            return new Val.Fn(fn.callee(), args(call.args(), c));
        return invoke(f, args(call.args(), c), call.span(), c);
    }

    /** Calls a value. A partial application's stored arguments come after the new positional ones. */
    Val invoke(Val f, List<Val.Arg> args, Span span, Ctx c) {
        return ck.atCall(span, () -> invokeHere(f, args, span, c));
    }

    private Val invokeHere(Val f, List<Val.Arg> args, Span span, Ctx c) {
        if (args.stream().anyMatch(a -> isBad(a.value())) && !(f instanceof Val.Fn fn && fn.callee() instanceof Callee.Builtin))
            return new Val.Bad();
        return switch (f) {
            case Val.Bad b -> b;
            case Val.Layer l -> ck.layers.apply(l.inst(), args, span, c);
            case Val.Schedule s -> scheduleValue(s, args, span);
            case Val.Fn fn -> {
                var all = new ArrayList<>(args);
                all.addAll(fn.bound());
                yield switch (fn.callee()) {
                    case Callee.Layer l -> ck.layers.construct(l.decl(), all, span, c);
                    case Callee.Fn d -> callFn(d.decl(), all, span, c);
                    case Callee.Optimizer o -> new Val.Optimizer(o.decl(), hyper(o.decl().name().name(), o.decl().params(), all, span, c));
                    case Callee.Schedule s -> schedule(s.decl(), all, span, c);
                    case Callee.Prim p -> ck.prims.call(p, all, span, c);
                    case Callee.Builtin b -> ck.builtins.call(b, all, span, c);
                };
            }
            default -> {
                if (c.mode() != Ctx.Mode.HOST) ck.diags.error(span, Val.describe(f) + " is not callable");
                yield new Val.Bad();
            }
        };
    }

    /** Whether a value is, or contains, the result of a reported error. */
    static boolean isBad(Val v) {
        return switch (v) {
            case Val.Bad b -> true;
            case Val.ListV l -> l.items().stream().anyMatch(Calls::isBad);
            case Val.TupleV t -> t.items().stream().anyMatch(Calls::isBad);
            default -> false;
        };
    }

    // ================================================================== schedules

    /**
     * A schedule with its hyperparameters. A hyperparameter declared Float is a number here
     * (only an optimizer's hyperparameters follow schedules); one declared Schedule is a
     * schedule. The body is then run once for an unknown step with these values, so that
     * what it requires of them (chain's milestones) is reported at this call.
     */
    private Val schedule(Decl.ScheduleDecl decl, List<Val.Arg> args, Span span, Ctx c) {
        String name = decl.name().name();
        var hyper = hyper(name, decl.hyper(), args, span, c);
        boolean ok = true;
        for (Decl.Param p : decl.hyper()) {
            if (!(hyper.get(p.name().name()) instanceof Val.Schedule given) || TypeMatch.isSchedule(p.type())) continue;
            ck.diags.error(argSpan(args, p, decl.hyper(), span), name + ": argument '" + p.name().name() + "' is a Float and cannot follow "
                    + Val.describe(given) + "; schedules compose through hyperparameters declared Schedule, as in warmup(into, steps) and chain(schedules, milestones)");
            ok = false;
        }
        if (!ok || hyper.values().stream().anyMatch(Calls::isBad)) return new Val.Bad();
        var s = new Val.Schedule(decl, hyper);
        int errors = ck.diags.errorCount();
        ck.scheduleValue(s, Val.Int.UNKNOWN);
        return ck.diags.errorCount() > errors ? new Val.Bad() : s;
    }

    /**
     * {@code first then next} (LANGUAGE.md §6's `warmup(5) then cosine(...)`): one schedule
     * after another. When {@code first} calls a schedule whose first hyperparameter is a
     * Schedule it leaves out ({@code warmup(5)}), {@code next} fills it: {@code warmup(next,
     * steps = 5)}. Otherwise {@code first} must say how long it lasts (its {@code steps}) and
     * the two are {@code chain([first, next], milestones = [steps])}: {@code next} starts from
     * its own step 1 there. {@code then} groups to the right, so a chain of three reads in order.
     */
    private Val then(Expr.Call call, Ctx c) {
        Expr first = call.args().get(0).value(), next = call.args().get(1).value();
        Span op = call.callee().span();
        if (first instanceof Expr.Call fc && !(fc.callee() instanceof Expr.Name fn && fn.name().equals("then"))
                && ck.eval.expr(fc.callee(), c) instanceof Val.Fn f && f.callee() instanceof Callee.Schedule sd && leavesOutInto(sd.decl(), fc)) {
            var args = new ArrayList<Val.Arg>();
            args.add(new Val.Arg(null, ck.eval.expr(next, c), next.span()));
            args.addAll(args(fc.args(), c));
            return invoke(f, args, fc.span(), c);
        }
        Val a = ck.eval.expr(first, c), b = ck.eval.expr(next, c);
        if (isBad(a) || isBad(b)) return new Val.Bad();
        for (var side : List.of(java.util.Map.entry(first, a), java.util.Map.entry(next, b))) {
            if (side.getValue() instanceof Val.Schedule) continue;
            ck.diags.error(side.getKey().span(), "then: joins two schedules, one after the other (e.g. warmup(100) then cosine(0.1, steps = 900)); found " + Val.describe(side.getValue()));
            return new Val.Bad();
        }
        var s = (Val.Schedule) a;
        if (!(s.hyper().get("steps") instanceof Val.Int steps) || !steps.known()) {
            ck.diags.error(first.span(), "then: the schedule before `then` must say how long it lasts (a 'steps' hyperparameter, as cosine(0.1, steps = 900) has)"
                    + (s.known() ? "; " + s.decl().name().name() + " has none" : ""));
            return new Val.Bad();
        }
        Val chain = ck.eval.expr(new Expr.Name(op, "chain"), c);
        var args = List.of(new Val.Arg(null, new Val.ListV(List.of(a, b)), call.span()),
                new Val.Arg("milestones", new Val.ListV(List.of(steps)), call.span()));
        return invoke(chain, args, call.span(), c);
    }

    /** Whether a call of schedule {@code d} leaves out its first hyperparameter, a Schedule (warmup's {@code into}). */
    private static boolean leavesOutInto(Decl.ScheduleDecl d, Expr.Call call) {
        if (d.hyper().isEmpty() || !TypeMatch.isSchedule(d.hyper().getFirst().type())) return false;
        String into = d.hyper().getFirst().name().name();
        long positional = call.args().stream().filter(x -> x.keyword() == null).count();
        return positional < d.hyper().size() && call.args().stream().noneMatch(x -> x.keyword() != null && x.keyword().name().equals(into));
    }

    /** {@code s(step)}: a schedule's value at a step, known when the step is (at run time), else an unknown Float. */
    private Val scheduleValue(Val.Schedule s, List<Val.Arg> args, Span span) {
        if (args.size() != 1 || args.getFirst().keyword() != null || !(args.getFirst().value() instanceof Val.Int step)) {
            ck.diags.error(span, (s.known() ? s.decl().name().name() + ": " : "") + "a schedule is called with one argument, the step (an Int)"
                    + (args.size() == 1 && args.getFirst().keyword() == null ? ", found " + Val.describe(args.getFirst().value()) : ""));
            return new Val.Bad();
        }
        if (!s.known()) return Val.Real.UNKNOWN;
        Val v = ck.scheduleValue(s, step);
        return v == null ? new Val.Bad() : v;
    }

    /** Binds and checks the hyperparameters of an optimizer or schedule. */
    private Map<String, Val> hyper(String what, List<Decl.Param> params, List<Val.Arg> args, Span span, Ctx c) {
        var bound = bind(what, params, args, span, c);
        var out = new LinkedHashMap<String, Val>();
        var b = new Bindings();
        for (Decl.Param p : params) {
            Val v = bound.getOrDefault(p.name().name(), new Val.Bad());
            if (p.type() != null) v = conform(p.type(), v, b, argSpan(args, p, params, span), what + ": argument '" + p.name().name() + "'");
            out.put(p.name().name(), v);
        }
        return out;
    }

    // ================================================================== binding

    /**
     * Binds call arguments to declared parameters: positional in order, then keywords by
     * name, then defaults (evaluated where earlier parameters are visible, so that
     * {@code stride = kernel} works). Reports every arity error.
     */
    Map<String, Val> bind(String what, List<Decl.Param> params, List<Val.Arg> args, Span span, Ctx c) {
        var out = new LinkedHashMap<String, Val>();
        int pos = 0;
        boolean keywordSeen = false;
        for (Val.Arg a : args) {
            if (a.keyword() == null && keywordSeen) {
                ck.diags.error(a.span(), what + ": a positional argument cannot follow keyword arguments");
                return fill(params, out);
            }
            keywordSeen |= a.keyword() != null;
            if (a.keyword() == null) {
                if (pos >= params.size()) {
                    ck.diags.error(a.span(), what + ": takes " + params.size() + " argument" + (params.size() == 1 ? "" : "s")
                            + " but " + args.stream().filter(x -> x.keyword() == null).count() + " positional were given");
                    return fill(params, out);
                }
                out.put(params.get(pos++).name().name(), a.value());
            } else {
                var p = params.stream().filter(x -> x.name().name().equals(a.keyword())).findFirst();
                if (p.isEmpty()) {
                    ck.diags.error(a.span(), what + ": unknown argument '" + a.keyword() + "'"
                            + Names.didYouMean(a.keyword(), params.stream().map(x -> x.name().name()).toList()));
                } else if (out.containsKey(a.keyword())) {
                    ck.diags.error(a.span(), what + ": argument '" + a.keyword() + "' is given twice");
                } else {
                    out.put(a.keyword(), a.value());
                }
            }
        }
        Env scope = new Env(null);
        out.forEach(scope::define);
        for (Decl.Param p : params) {
            String name = p.name().name();
            if (out.containsKey(name)) continue;
            if (p.defaultValue() != null) {
                Val v = ck.eval.expr(p.defaultValue(), new Ctx(c.module() == null ? null : declModule(p, c), scope, null, new Bindings(), Ctx.Mode.CONFIG, c.training()));
                out.put(name, v);
                scope.define(name, v);
            } else if (p.type() != null && p.type().optional()) {
                out.put(name, new Val.None());
            } else {
                ck.diags.error(span, what + ": missing argument '" + name + "'",
                        dev.dlc.diag.Diagnostics.note(p.span(), "'" + name + "' is declared here"));
                out.put(name, new Val.Bad());
            }
        }
        return reorder(params, out);
    }

    private dev.dlc.ast.Module declModule(Decl.Param p, Ctx c) {
        var m = ck.names.moduleOf(p.span().source());
        return m == null ? c.module() : m;
    }

    private static Map<String, Val> fill(List<Decl.Param> params, Map<String, Val> out) {
        for (Decl.Param p : params) out.putIfAbsent(p.name().name(), new Val.Bad());
        return reorder(params, out);
    }

    private static Map<String, Val> reorder(List<Decl.Param> params, Map<String, Val> out) {
        var ordered = new LinkedHashMap<String, Val>();
        for (Decl.Param p : params) if (out.containsKey(p.name().name())) ordered.put(p.name().name(), out.get(p.name().name()));
        return ordered;
    }

    /** Where the argument for {@code p} was written, for error carets; the call if it was defaulted. */
    static Span argSpan(List<Val.Arg> args, Decl.Param p, List<Decl.Param> params, Span call) {
        int pos = 0;
        for (Val.Arg a : args) {
            if (a.keyword() == null) {
                if (pos < params.size() && params.get(pos) == p) return a.span();
                pos++;
            } else if (a.keyword().equals(p.name().name())) return a.span();
        }
        return call;
    }

    // ================================================================== declared types

    Val checkDeclared(TypeExpr te, Val v, Span span, String what, Ctx c) {
        return conform(te, v, c.dims() == null ? new Bindings() : c.dims(), span, what);
    }

    /**
     * Checks a value against a declared type, binding dimension names in {@code b}, and
     * converts where the language allows it (an Int where a Float is declared, a number
     * where a scalar tensor is declared). Returns the value, or Bad after reporting.
     */
    Val conform(TypeExpr te, Val v, Bindings b, Span span, String what) {
        if (v instanceof Val.Bad) return v;
        if (te.optional() && v instanceof Val.None) return v;
        String expected = TypeMatch.show(te, b);
        switch (te) {
            case TypeExpr.Tensor t -> {
                if (v instanceof Val.Tensor tv) {
                    TypeMatch.Mismatch m = TypeMatch.matchTensor(t, tv.type(), b, span);
                    if (m == null) return v;
                    if ((ck.dependsOnConfig(List.of(v)) || ck.dependsOnConfig(b)) && ck.mentionsConfig(m.message())) return new Val.Bad();
                    return fail(span, what + ": " + m.message(), m.notes());
                }
                if (Scalars.isNumber(v) && t.dims().isEmpty()) {
                    var dt = DType.parse(t.dtype().name()).orElse(DType.F32);
                    if (v instanceof Val.Real && !dt.isFloat()) return fail(span, what + ": expected " + expected + ", found Float");
                    return new Val.Tensor(new Type.Tensor(dt, dev.dlc.types.Shape.SCALAR), null);
                }
            }
            case TypeExpr.Named n when TypeMatch.isSchedule(n) -> {
                if (v instanceof Val.Schedule) return v;
                if (Scalars.isNumber(v))
                    return fail(span, what + ": expected a schedule, found Float; a fixed value is written constant(" + showNumber(v) + ")");
            }
            case TypeExpr.Named n -> {
                var s = TypeMatch.scalar(n.name().name());
                if (s == null) return v;            // reported by validate()
                boolean ok = switch (s) {
                    case INT -> v instanceof Val.Int;
                    case FLOAT -> Scalars.isNumber(v) || v instanceof Val.Schedule;
                    case BOOL -> v instanceof Val.Bool;
                    case STRING -> v instanceof Val.Str;
                };
                if (ok) return s == Type.Scalar.FLOAT && v instanceof Val.Int i ? new Val.Real(Scalars.real(i)) : v;
            }
            case TypeExpr.Tuple t -> {
                if (v instanceof Val.TupleV tv && tv.items().size() == t.parts().size()) {
                    var parts = new ArrayList<Val>();
                    for (int i = 0; i < t.parts().size(); i++) {
                        Val p = conform(t.parts().get(i), tv.items().get(i), b, span, what + " (element " + (i + 1) + ")");
                        if (p instanceof Val.Bad) return p;
                        parts.add(p);
                    }
                    return new Val.TupleV(parts);
                }
            }
            case TypeExpr.ListOf l -> {
                if (v instanceof Val.ListV lv) {
                    var items = new ArrayList<Val>();
                    for (Val item : lv.items()) {
                        Val p = conform(l.element(), item, b, span, what + " (list element)");
                        if (p instanceof Val.Bad) return p;
                        items.add(p);
                    }
                    return new Val.ListV(items);
                }
            }
        }
        return fail(span, what + ": expected " + expected + ", found " + Val.describe(v));
    }

    private Val fail(Span span, String message, List<Diagnostic.Note> notes) {
        ck.diags.add(new Diagnostic(span, Diagnostic.Severity.ERROR, message, notes));
        return new Val.Bad();
    }

    private Val fail(Span span, String message) { return fail(span, message, List.of()); }

    /** A number as the user would write it again (1, 0.1), for hints. */
    private static String showNumber(Val v) {
        Double d = Scalars.real(v);
        if (d == null) return "...";
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
    }

    // ================================================================== fn calls

    Val callFn(Decl.FnDecl d, List<Val.Arg> args, Span span, Ctx c) {
        String what = d.name().name();
        var bound = bind(what, d.params(), args, span, c);
        if (bound.values().stream().anyMatch(v -> v instanceof Val.Bad)) return new Val.Bad();
        var b = new Bindings();
        var env = new Env(null);
        for (Decl.Param p : d.params()) {
            Val v = bound.get(p.name().name());
            if (p.type() != null) v = conform(p.type(), v, b, argSpan(args, p, d.params(), span), what + ": argument '" + p.name().name() + "'");
            if (v instanceof Val.Bad) return v;
            env.define(p.name().name(), v);
            Eval.markPresence(env, p, v);
        }
        return ck.muted(d, () -> body(d, env, b, c));
    }

    /** Evaluates a fn's body in a scope of its own (fns see no layer members) and checks its result type. */
    Val body(Decl.FnDecl d, Env env, Bindings b, Ctx caller) {
        if (++depth > MAX_DEPTH) {
            depth--;
            ck.diags.error(d.name().span(), "fn calls are nested more than " + MAX_DEPTH + " deep here; a fn that calls itself needs a config value that ends the recursion");
            return new Val.Bad();
        }
        try {
            var module = ck.names.moduleOf(d.span().source());
            var ctx = new Ctx(module, env, null, b, caller.mode() == Ctx.Mode.HOST ? Ctx.Mode.STAGED : caller.mode(), caller.training());
            Val v = switch (d.body()) {
                case Decl.Body.ExprBody e -> ck.eval.expr(e.expr(), ctx);
                case Decl.Body.BlockBody bb -> {
                    Val r = ck.eval.block(bb.block(), ctx);
                    if (r == null) ck.diags.error(d.name().span(), "fn " + d.name().name() + " has no return statement");
                    yield r == null ? new Val.Bad() : r;
                }
            };
            if (d.result() != null && !(v instanceof Val.Bad))
                v = conform(d.result(), v, b, d.body().span(), "fn " + d.name().name() + " returns a value that does not match its declared type");
            return v;
        } finally {
            depth--;
        }
    }

    // ================================================================== indexing

    /** {@code x[i, a:b:s, ...]} on tensors (slices then a reshape dropping indexed axes), lists and tuples. */
    Val index(Expr.Index ix, Ctx c) {
        Val target = ck.eval.expr(ix.target(), c);
        if (target instanceof Val.Bad) return target;
        if (target instanceof Val.ListV || target instanceof Val.TupleV) {
            List<Val> items = target instanceof Val.ListV l ? l.items() : ((Val.TupleV) target).items();
            if (ix.items().size() == 1 && ix.items().getFirst() instanceof Expr.IndexItem.Point p) {
                Val i = ck.eval.expr(p.index(), c);
                if (i instanceof Val.Int n && n.known()) {
                    long k = n.get() < 0 ? n.get() + items.size() : n.get();
                    if (k >= 0 && k < items.size()) return items.get((int) k);
                    ck.diags.error(p.span(), "index " + n.get() + " is out of range for " + items.size() + " elements");
                    return new Val.Bad();
                }
                if (i instanceof Val.Int) return items.isEmpty() ? new Val.Bad() : items.getFirst();
            }
            ck.diags.error(ix.span(), "a list or tuple takes one integer index");
            return new Val.Bad();
        }
        if (!(target instanceof Val.Tensor t)) {
            if (c.mode() != Ctx.Mode.HOST) ck.diags.error(ix.span(), "cannot index " + Val.describe(target));
            return new Val.Bad();
        }
        return ck.prims.index(t, ix, c);
    }
}
