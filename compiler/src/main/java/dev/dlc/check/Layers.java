package dev.dlc.check;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Expr;
import dev.dlc.ast.Member;
import dev.dlc.ast.TypeExpr;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Span;
import dev.dlc.ir.Node;
import dev.dlc.types.DimError;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.List;

/** Layer instances: construction from config, seq and repeat, and application (forward). */
final class Layers {
    private final Checker ck;
    private int depth;

    Layers(Checker ck) { this.ck = ck; }

    // ================================================================== construction

    /** {@code Linear(256)}: binds and checks the config, then builds the members. */
    Val construct(Decl.LayerDecl d, List<Val.Arg> args, Span span, Ctx c) {
        if (c.mode() == Ctx.Mode.STAGED) {
            ck.diags.error(span, "layer " + d.name().name() + " is built inside staged code; declare it as a member (`name = "
                    + d.name().name() + "(...)`) and call the member");
            return new Val.Bad();
        }
        if (++depth > Calls.MAX_DEPTH) {
            depth--;
            ck.diags.error(span, "layers are nested more than " + Calls.MAX_DEPTH + " deep here; a layer that contains itself needs a config value that ends the recursion");
            return new Val.Bad();
        }
        try {
            var config = new java.util.LinkedHashMap<String, Val>();
            var bound = ck.calls.bind(d.name().name(), d.params(), args, span, c);
            var b = new Bindings();
            for (Decl.Param p : d.params()) {
                Val v = bound.getOrDefault(p.name().name(), new Val.Bad());
                if (p.type() != null)
                    v = ck.calls.conform(p.type(), v, b, Calls.argSpan(args, p, d.params(), span), d.name().name() + ": argument '" + p.name().name() + "'");
                config.put(p.name().name(), v);
            }
            // A config value that failed its check was reported; building with it would only add follow-on errors.
            if (config.values().stream().anyMatch(Calls::isBad)) return new Val.Bad();
            return ck.muted(d, () -> build(d, config, span, c));
        } finally {
            depth--;
        }
    }

    /** Builds an instance from evaluated config values (also used for generic checks, with symbolic config). */
    Val build(Decl.LayerDecl d, java.util.Map<String, Val> config, Span span, Ctx c) {
        var module = ck.names.moduleOf(d.span().source());
        var env = new Env(null);
        config.forEach(env::define);
        var ctx = new Ctx(module, env, null, new Bindings(), Ctx.Mode.CONFIG, Val.Bool.UNKNOWN);
        if (d.body() != null) {
            Val v = ck.eval.expr(d.body(), ctx);
            if (v instanceof Val.Layer l) {
                l.inst().displayName = d.name().name();
                return v;
            }
            if (v instanceof Val.Fn f && !(f.callee() instanceof Callee.Layer)) return layerOf(v, d.body().span(), d.name().name());
            if (!(v instanceof Val.Bad))
                ck.diags.error(d.body().span(), "layer " + d.name().name() + " must be a layer value (seq { ... }, repeat, or a layer call), found " + Val.describe(v));
            return new Val.Bad();
        }
        var inst = new LayerInst(LayerInst.Kind.DECL, d, span, null);
        inst.config.putAll(config);
        members(inst, d.members(), ctx);
        if (!inst.members.containsKey("forward"))
            ck.diags.error(d.name().span(), "layer " + d.name().name() + " has no forward method");
        return new Val.Layer(inst);
    }

    private void members(LayerInst inst, List<Member> members, Ctx ctx) {
        for (Member m : members) {
            if (m instanceof Member.IfMember im) {
                Boolean known = ck.eval.test(im.cond(), ctx).known();
                // A condition unknown in a generic check keeps the first branch: both must be well formed.
                if (known == null || known) members(inst, im.then(), ctx);
                else members(inst, im.otherwise(), ctx);
                continue;
            }
            String name = m.name().name();
            if (inst.members.containsKey(name)) {
                ck.diags.error(m.name().span(), "member '" + name + "' is defined twice in layer " + inst.typeName(),
                        Diagnostics.note(inst.members.get(name).name().span(), "first defined here"));
                continue;
            }
            if (inst.config.containsKey(name)) {
                ck.diags.error(m.name().span(), "member '" + name + "' has the name of a config parameter of " + inst.typeName());
                continue;
            }
            inst.members.put(name, m);
            switch (m) {
                case Member.ParamMember p -> { TypeMatch.validate(p.type(), ck.diags); if (p.init() != null) inst.inits.put(name, ck.builtins.initializer(p.init(), ctx)); }
                case Member.BufferMember p -> { TypeMatch.validate(p.type(), ck.diags); if (p.init() != null) inst.inits.put(name, ck.builtins.initializer(p.init(), ctx)); }
                case Member.StateMember s -> ck.diags.error(s.span(), "state members belong in optimizers; a layer keeps its state in buffers");
                case Member.ChildMember ch -> {
                    Val v = ck.eval.expr(ch.value(), ctx);
                    if (v instanceof Val.Layer l) inst.adopt(l.inst(), name);
                    if (v instanceof Val.ListV list) {
                        for (int i = 0; i < list.items().size(); i++)
                            if (list.items().get(i) instanceof Val.Layer l) inst.adopt(l.inst(), name + "." + i);
                    }
                    inst.values.put(name, v);
                    ctx.env().define(name, v);
                }
                case Member.MethodMember mm -> {
                    ck.checkParamNames(mm.params());
                    mm.params().forEach(p -> { if (p.type() != null) TypeMatch.validate(p.type(), ck.diags); });
                    if (mm.result() != null) TypeMatch.validate(mm.result(), ck.diags);
                    if (!name.equals("forward"))
                        ck.diags.error(mm.name().span(), "layer methods other than forward are not supported: '" + name + "'");
                }
                case Member.IfMember im -> {}
            }
        }
    }

    /** A callable used where a layer is expected (in a seq): it is applied to the input. */
    private Val layerOf(Val callable, Span span, String displayName) {
        var inst = new LayerInst(LayerInst.Kind.CALLABLE, null, span, callable);
        inst.displayName = displayName;
        return new Val.Layer(inst);
    }

    // ================================================================== seq and repeat

    Val seq(Expr.Seq s, Ctx c) {
        var inst = new LayerInst(LayerInst.Kind.SEQ, null, s.span(), null);
        addItems(inst, s.items(), c);
        return new Val.Layer(inst);
    }

    Val repeat(Expr.Repeat r, Ctx c) {
        Val n = ck.eval.expr(r.count(), c);
        var inst = new LayerInst(LayerInst.Kind.REPEAT, null, r.span(), null);
        long times;
        if (n instanceof Val.Int i && i.known()) {
            times = i.get();
            if (times < 0 || times > 10_000) {
                ck.diags.error(r.count().span(), "repeat: the count must be between 0 and 10000, found " + times);
                return new Val.Bad();
            }
        } else if (n instanceof Val.Int) {
            times = 1;      // a generic check: the body is checked once
        } else {
            if (!(n instanceof Val.Bad)) ck.diags.error(r.count().span(), "repeat: expected an Int count, found " + Val.describe(n));
            return new Val.Bad();
        }
        for (long k = 0; k < times; k++) {
            var body = new LayerInst(LayerInst.Kind.SEQ, null, r.span(), null);
            addItems(body, r.items(), c);
            var one = body.items.size() == 1 ? body.items.getFirst() : body;
            inst.items.add(one);
            inst.adopt(one, Long.toString(k));
        }
        return new Val.Layer(inst);
    }

    private void addItems(LayerInst seq, List<Expr> items, Ctx c) {
        for (Expr item : items) {
            Val v = partial(item, c);
            LayerInst child = switch (v) {
                case Val.Layer l -> l.inst();
                case Val.Fn f when !(f.callee() instanceof Callee.Layer) -> ((Val.Layer) layerOf(f, item.span(), null)).inst();
                case Val.Bad b -> null;
                default -> {
                    ck.diags.error(item.span(), "seq: expected a layer or a function, found " + Val.describe(v));
                    yield null;
                }
            };
            if (child == null) continue;
            seq.adopt(child, Integer.toString(seq.items.size()));
            seq.items.add(child);
        }
    }

    /** A seq item: a layer, or a function; a call of a function with no input yet is a partial application. */
    Val partial(Expr item, Ctx c) {
        if (item instanceof Expr.Call call) {
            Val f = ck.eval.expr(call.callee(), c);
            if (f instanceof Val.Fn fn && !(fn.callee() instanceof Callee.Layer) && !isConstructor(fn)) {
                if (!takesTensorFirst(fn)) {
                    ck.diags.error(item.span(), "seq: " + fn.callee().name() + "(...) does not take the previous output as its first argument; a seq item is a layer or a function of the input");
                    return new Val.Bad();
                }
                return new Val.Fn(fn.callee(), ck.calls.args(call.args(), c));
            }
            return ck.calls.invoke(f, ck.calls.args(call.args(), c), call.span(), c);
        }
        return ck.eval.expr(item, c);
    }

    /** Whether a callable's first parameter can be the previous output: a tensor (or untyped, for fns). */
    private static boolean takesTensorFirst(Val.Fn fn) {
        return switch (fn.callee()) {
            case Callee.Prim p -> p.overloads().stream().anyMatch(d -> !d.sig().args().isEmpty()
                    && d.sig().args().getFirst().kind() == dev.dlc.ops.ArgKind.TENSOR);
            case Callee.Fn f -> !f.decl().params().isEmpty() && (f.decl().params().getFirst().type() == null
                    || f.decl().params().getFirst().type() instanceof dev.dlc.ast.TypeExpr.Tensor);
            default -> true;
        };
    }

    private static boolean isConstructor(Val.Fn fn) {
        return fn.callee() instanceof Callee.Optimizer || fn.callee() instanceof Callee.Schedule;
    }

    /** {@code model.conv1}: a member of a built layer. */
    Val member(LayerInst inst, String name, Span span) {
        if (inst.values.containsKey(name)) return inst.values.get(name);
        // A parameter read before the layer's first call (weight tying: emb.table) exists
        // already when the config alone sizes it.
        if (inst.kind == LayerInst.Kind.DECL && !inst.called && inst.members.get(name) instanceof Member.ParamMember)
            typeParams(inst, dimsOf(inst), true);
        if (inst.config.containsKey(name)) return inst.config.get(name);
        if (inst.params.containsKey(name)) { var p = inst.params.get(name); return new Val.Tensor(p.type(), p.node()); }
        if (inst.members.get(name) instanceof Member.ParamMember)
            ck.diags.error(span, "parameter '" + name + "' of " + inst.typeName() + " is sized by the layer's first input; apply the layer before reading it");
        else
            ck.diags.error(span, "layer " + inst.typeName() + " has no member '" + name + "'"
                    + Names.didYouMean(name, new ArrayList<>(inst.members.keySet())));
        return new Val.Bad();
    }

    // ================================================================== application

    Val apply(LayerInst inst, List<Val.Arg> args, Span span, Ctx c) {
        return ck.atCall(span, () -> applyHere(inst, args, span, c));
    }

    private Val applyHere(LayerInst inst, List<Val.Arg> args, Span span, Ctx c) {
        if (c.mode() == Ctx.Mode.CONFIG) {
            ck.diags.error(span, "layer " + inst.typeName() + " is applied outside forward; layers run on tensors in forward, fn or train code");
            return new Val.Bad();
        }
        return switch (inst.kind) {
            case SEQ, REPEAT -> {
                if (args.size() != 1 || args.getFirst().keyword() != null) {
                    ck.diags.error(span, inst.typeName() + ": takes one input, found " + args.size() + " arguments");
                    yield new Val.Bad();
                }
                var frame = ck.enter(inst, args);
                Val x = args.getFirst().value();
                for (LayerInst item : inst.items) {
                    // Each item is called where it was written, so an error in it points there.
                    Span at = item.span != null && item.kind != LayerInst.Kind.REPEAT ? item.span : span;
                    x = apply(item, List.of(new Val.Arg(null, x, at)), at, c);
                    if (x instanceof Val.Bad) break;
                }
                ck.exit(frame, x);
                yield x;
            }
            case CALLABLE -> ck.calls.invoke(inst.callable, args, span, c);
            case DECL -> forward(inst, args, span, c);
        };
    }

    /**
     * Applies a declared layer: matches the arguments to forward's signature (with the
     * dimensions fixed by earlier calls and the config), types the parameters on the first
     * call, evaluates the body and checks the declared result.
     */
    private Val forward(LayerInst inst, List<Val.Arg> args, Span span, Ctx c) {
        if (!(inst.members.get("forward") instanceof Member.MethodMember fwd)) return new Val.Bad();
        String what = inst.typeName();
        var bound = ck.calls.bind(what, fwd.params(), args, span, c);
        // An argument that is Bad (an earlier error, or an untyped argument in a generic check)
        // silences what depends on it; the rest of the body is still checked.
        boolean someUnknown = bound.values().stream().anyMatch(Calls::isBad);
        var b = dimsOf(inst);
        var env = new Env(null);
        for (Decl.Param p : fwd.params()) {
            Val v = bound.get(p.name().name());
            if (p.type() != null && !Calls.isBad(v)) {
                v = ck.calls.conform(p.type(), v, b, Calls.argSpan(args, p, fwd.params(), span), what + ": argument '" + p.name().name() + "'");
                if (v instanceof Val.Bad) return v;      // reported: the argument does not fit
            }
            env.define(p.name().name(), v);
            Eval.markPresence(env, p, v);
        }
        if (someUnknown) typeParams(inst, b, true);
        else if (!inst.called && !typeParams(inst, b, false)) return new Val.Bad();
        inst.called |= !someUnknown;
        var frame = ck.enter(inst, args);
        var module = ck.names.moduleOf(inst.decl.span().source());
        var ctx = new Ctx(module, env, inst, b, Ctx.Mode.STAGED, c.training());
        Val out = ck.muted(inst.decl, () -> switch (fwd.body()) {
            case Decl.Body.ExprBody e -> ck.eval.expr(e.expr(), ctx);
            case Decl.Body.BlockBody bb -> {
                Val r = ck.eval.block(bb.block(), ctx);
                if (r == null) ck.diags.error(fwd.name().span(), what + ": forward has no return statement");
                yield r == null ? new Val.Bad() : r;
            }
        });
        if (fwd.result() != null && !(out instanceof Val.Bad))
            out = ck.calls.conform(fwd.result(), out, b, fwd.body().span(), what + ": forward's result does not match its declared type");
        ck.exit(frame, out);
        return out;
    }

    /** The dimensions an instance knows before a call: fixed ones, config Ints and Int constant members. */
    static Bindings dimsOf(LayerInst inst) {
        var b = new Bindings(inst.fixedDims);
        // Config values and Int constant members (`dirs = if bidirectional then 2 else 1`) may size dimensions.
        inst.config.forEach((k, v) -> { if (v instanceof Val.Int i && i.value() != null && !b.has(k)) b.bind(k, i.value(), null, "by the config"); });
        inst.values.forEach((k, v) -> { if (v instanceof Val.Int i && i.value() != null && !b.has(k)) b.bind(k, i.value(), null, "by member " + k); });
        return b;
    }

    /**
     * Types the parameters and buffers from the dimensions known so far, creates their IR
     * nodes, and fixes those dimensions for later calls. {@code eager}: before the first call,
     * when only parameters sized by the config can be typed (Embedding's table, read for
     * weight tying); the first call types the rest or reports why it cannot.
     */
    private boolean typeParams(LayerInst inst, Bindings b, boolean eager) {
        boolean ok = true;
        for (Member m : inst.members.values()) {
            if (inst.params.containsKey(m.name().name())) continue;
            TypeExpr te;
            boolean trainable;
            switch (m) {
                case Member.ParamMember p -> { te = p.type(); trainable = true; }
                case Member.BufferMember p -> { te = p.type(); trainable = false; }
                default -> { continue; }
            }
            if (!(te instanceof TypeExpr.Tensor t)) {
                ck.diags.error(te.span(), (trainable ? "parameter " : "buffer ") + m.name().name() + " must have a tensor type such as f32[in, out]");
                ok = false;
                continue;
            }
            var unbound = new ArrayList<String>();
            for (var d : t.dims()) {
                if (d instanceof dev.dlc.ast.DimExpr.Ellipsis) {
                    ck.diags.error(d.span(), "a parameter's shape must be fully known: '...' is not allowed here");
                    ok = false;
                }
                for (String n : TypeMatch.names(d)) if (!b.has(n) && !unbound.contains(n)) unbound.add(n);
            }
            if (!unbound.isEmpty() && eager) continue;
            if (!unbound.isEmpty()) {
                String notInt = unbound.stream().filter(n -> inst.config.containsKey(n) || inst.values.containsKey(n)).findFirst().orElse(null);
                if (notInt != null) {
                    Val v = inst.config.containsKey(notInt) ? inst.config.get(notInt) : inst.values.get(notInt);
                    if (!(v instanceof Val.Bad))
                        ck.diags.error(te.span(), "dimension " + notInt + " of " + (trainable ? "parameter " : "buffer ") + m.name().name()
                                + " must be an Int, but " + notInt + " is " + (v instanceof Val.Real r && r.value() != null ? "the Float " + r.value() : Val.describe(v)));
                    ok = false;
                    continue;
                }
                ck.diags.error(te.span(), "cannot infer dimension " + String.join(", ", unbound) + " of " + (trainable ? "parameter " : "buffer ")
                        + m.name().name() + ": it is neither a config parameter of " + inst.typeName() + " nor bound by forward's argument types");
                ok = false;
                continue;
            }
            try {
                var type = (Type.Tensor) TypeMatch.resolveFresh(te, b, te.span());
                if (trainable && !type.dtype().isFloat()) {
                    ck.diags.error(t.dtype().span(), "parameter " + m.name().name() + " is " + type.dtype()
                            + ": trained parameters are floats; keep integer or bool state in a buffer");
                    ok = false;
                    continue;
                }
                for (var d : type.shape().dims())
                    if (d.isConst() && d.value() <= 0) throw new DimError("dimension " + d + " is not positive");
                String path = inst.path().isEmpty() ? m.name().name() : inst.path() + "." + m.name().name();
                Node node = ck.rootGraph.add(new Node.Param(path, type, trainable), m.span());
                // Without an initializer a parameter or buffer starts at zero.
                Val init = inst.inits.getOrDefault(m.name().name(), new Val.Init("zeros", List.of()));
                var param = new LayerInst.Param(m.name().name(), type, trainable, init, node);
                inst.params.put(m.name().name(), param);
                ck.paramInfo.putIfAbsent(node, param);
                for (var d : t.dims())
                    for (String n : TypeMatch.names(d)) inst.fixedDims.putIfAbsent(n, b.get(n));
            } catch (DimError e) {
                ck.diags.error(te.span(), (trainable ? "parameter " : "buffer ") + m.name().name() + ": " + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }
}
