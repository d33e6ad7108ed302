package dev.dlc.check;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Member;
import dev.dlc.ast.Module;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Span;
import dev.dlc.ir.Builder;
import dev.dlc.ir.Node;
import dev.dlc.pass.AutodiffPass;
import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers a checked `train` job to the IR program of one step ({@link TrainStep}). The steps,
 * each a small function:
 * <ol>
 *   <li>{@link #forward}: the model in training mode on a batch of concrete size, the loss with
 *       its regularizer, the metrics;</li>
 *   <li>{@link #gradients}: reverse-mode autodiff of the loss w.r.t. every trainable parameter;</li>
 *   <li>{@link #clip}: gradient-norm clipping over all gradients together;</li>
 *   <li>{@link #update}: the optimizer's `update(p, g)` staged once per parameter, its states
 *       becoming slots of their own.</li>
 * </ol>
 * The optimizer's rule is DL code (std.optim), staged by the same evaluator as a forward: the
 * step `t` and scheduled hyperparameters are scalar inputs, the other hyperparameters constants.
 */
final class StepLowering {
    private final Checker ck;
    private Module module;
    private Span at;
    private Node.Input step;
    private final List<TrainStep.Scheduled> scheduled = new ArrayList<>();

    StepLowering(Checker ck) { this.ck = ck; }

    /** The forward's values the rest of the step needs. */
    private record Forward(List<Node.Input> data, Node loss, List<TrainStep.Metric> metrics) {}

    TrainStep lower(Decl.TrainDecl t, Module m, long batch, List<Type.Tensor> inputs) {
        module = m;
        ck.freshGraph();
        var entries = ck.trainEntries(t, m);
        Map<String, Val> values = entries.values();
        Map<String, Span> spans = entries.spans();
        at = spans.get("model");
        int errors = ck.diags.errorCount();
        Forward fwd = forward(values, spans, batch, inputs, true);
        if (fwd == null || ck.diags.errorCount() > errors) return null;

        var params = new ArrayList<Node.Param>();
        for (Node n : ck.graph.nodes()) if (n instanceof Node.Param p && p.trainable()) params.add(p);
        var grads = gradients(fwd.loss(), params, spans.get("loss"));
        if (grads == null) return null;
        var raw = new LinkedHashMap<String, Node>();
        grads.forEach((p, g) -> raw.put(((Node.Param) p).path(), g));
        if (values.get("clip") instanceof Val clip && Scalars.real(clip) instanceof Double c) grads = clip(grads, c);

        var slots = new ArrayList<TrainStep.Slot>();
        var states = new ArrayList<TrainStep.Slot>();
        var opt = (Val.Optimizer) values.get("optimizer");
        step = (Node.Input) ck.input("t", Type.tensor(DType.F32)).node();
        for (Node.Param p : params) {
            Node next = update(opt, p, grads.get(p), states, spans.get("optimizer"));
            if (next == null) return null;
            slots.add(slot(p, TrainStep.Kind.PARAMETER, next));
        }
        // Buffers: the last value a training forward assigned (batch norm's statistics), else unchanged.
        for (Node n : ck.graph.nodes())
            if (n instanceof Node.Param p && !p.trainable()) slots.add(slot(p, TrainStep.Kind.BUFFER, ck.bufferWrites.getOrDefault(p, p)));
        slots.addAll(states);
        if (!runtimeConstantsResolved()) return null;

        var outputs = lossAndMetrics(fwd);
        slots.forEach(s -> outputs.add(s.next()));
        var g = ck.graph.withOutputs(outputs);
        long seed = values.get("seed") instanceof Val.Int i && i.known() ? i.get() : 0;
        return new TrainStep(t.name().name(), g, fwd.data(), step, scheduled, slots, fwd.loss(), fwd.metrics(), raw, seed, at);
    }

    /**
     * The evaluation program of a job: the model in inference mode, the loss (without the
     * regularizer) and the metrics, as outputs in that order. It reads the parameters and
     * buffers by the same paths as the step.
     */
    EvalStep lowerEval(Decl.TrainDecl t, Module m, long batch, List<Type.Tensor> inputs) {
        module = m;
        ck.freshGraph();
        var entries = ck.trainEntries(t, m);
        at = entries.spans().get("model");
        var values = new LinkedHashMap<>(entries.values());
        values.remove("regularize");
        int errors = ck.diags.errorCount();
        Forward fwd = forward(values, entries.spans(), batch, inputs, false);
        if (fwd == null || ck.diags.errorCount() > errors || !runtimeConstantsResolved()) return null;
        var g = ck.graph.withOutputs(lossAndMetrics(fwd));
        return new EvalStep(t.name().name(), g, fwd.data(), fwd.metrics().stream().map(TrainStep.Metric::name).toList());
    }

    /** The outputs both programs start with: the loss, then each metric. */
    private static List<Node> lossAndMetrics(Forward fwd) {
        var out = new ArrayList<Node>();
        out.add(fwd.loss());
        fwd.metrics().forEach(m -> out.add(m.value()));
        return out;
    }

    private TrainStep.Slot slot(Node.Param p, TrainStep.Kind kind, Node next) {
        var info = ck.paramInfo.get(p);
        return new TrainStep.Slot(p.path(), kind, p, TrainStep.Initializer.of(info == null ? null : info.init()), next);
    }

    // ================================================================== forward and loss

    private Forward forward(Map<String, Val> values, Map<String, Span> spans, long batch, List<Type.Tensor> inputs, boolean training) {
        if (!(values.get("model") instanceof Val.Layer layer) || !(values.get("data") instanceof Val.Data ds)) return null;
        // No batch size asked for: the data set's own.
        if (batch <= 0) batch = ds.options().get("batch") instanceof Val.Int i && i.known() ? i.get() : 1;
        var staged = new Ctx(module, new Env(null), null, new Bindings(), Ctx.Mode.STAGED, new Val.Bool(training));
        var data = new ArrayList<Node.Input>();
        var xs = new ArrayList<Val.Arg>();
        for (int i = 0; i < ds.inputs().size(); i++) {
            var type = inputs != null ? inputs.get(i) : withBatch(ds.inputs().get(i), batch);
            var x = ck.input(ds.inputs().size() == 1 ? "x" : "x" + i, type);
            data.add((Node.Input) x.node());
            xs.add(new Val.Arg(null, x, at));
        }
        Val out = ck.layers.apply(layer.inst(), xs, at, staged);
        var y = ck.input("y", withBatch(ds.label(), batch));
        data.add((Node.Input) y.node());
        Span ls = spans.get("loss");
        Val loss = ck.calls.invoke(values.get("loss"), List.of(new Val.Arg(null, out, ls), new Val.Arg(null, y, ls)), ls, staged);
        if (!(loss instanceof Val.Tensor lt) || lt.node() == null) return null;
        Node total = regularized(lt.node(), values.get("regularize"));
        var metrics = new ArrayList<TrainStep.Metric>();
        if (values.get("metrics") instanceof Val.ListV list) {
            for (Val metric : list.items()) {
                Span ms = spans.get("metrics");
                Val r = ck.calls.invoke(metric, List.of(new Val.Arg(null, out, ms), new Val.Arg(null, y, ms)), ms, staged);
                if (r instanceof Val.Tensor rt && rt.node() != null)
                    metrics.add(new TrainStep.Metric(metric instanceof Val.Fn f ? f.callee().name() : Val.describe(metric), rt.node()));
            }
        }
        return new Forward(data, total, metrics);
    }

    /** The data's element type with the batch dimension B made concrete. */
    private static Type.Tensor withBatch(Type.Tensor t, long batch) {
        var dims = new ArrayList<Dim>();
        for (Dim d : t.shape().dims()) dims.add(d.equals(Dim.sym("B")) ? Dim.of(batch) : d);
        return new Type.Tensor(t.dtype(), Shape.of(dims));
    }

    /**
     * {@code regularize = l2(s)} adds {@code s / 2 * sum(p * p)} for every trainable parameter, so
     * the gradient gains {@code s * p} as with PyTorch's weight_decay; {@code l1(s)} adds
     * {@code s * sum(|p|)} (std.losses' l2_penalty and l1_penalty).
     */
    private Node regularized(Node loss, Val reg) {
        if (!(reg instanceof Val.Init r) || r.args().isEmpty() || r.args().getFirst() == 0) return loss;
        var b = new Builder(ck.graph);
        double s = r.args().getFirst();
        Node penalty = null;
        for (Node n : ck.graph.nodes()) {
            if (!(n instanceof Node.Param p) || !p.trainable()) continue;
            Node w = b.cast(p, Builder.dtype(loss));
            Node term = b.apply("sum", r.kind().equals("l1") ? b.apply("abs", w) : b.mul(w, w));
            penalty = penalty == null ? term : b.add(penalty, term);
        }
        if (penalty == null) return loss;
        return b.add(loss, b.mul(r.kind().equals("l1") ? s : s / 2, penalty));
    }

    // ================================================================== gradients and clipping

    private Map<Node, Node> gradients(Node loss, List<Node.Param> params, Span lossSpan) {
        try {
            var r = AutodiffPass.run(ck.graph, loss, params);
            ck.graph = ck.rootGraph = r.graph();
            return r.grads();
        } catch (AutodiffPass.NotDifferentiable e) {
            // An op inside the stdlib is the model's: report it there, with a note into the stdlib.
            var notes = new ArrayList<Diagnostic.Note>();
            Span where = e.span != null ? e.span : lossSpan;
            if (e.span != null && ck.isLibrary(e.span)) {
                notes.add(Diagnostics.note(e.span, "inside " + ck.names.moduleOf(e.span.source()).name() + ", used by the model"));
                where = at;
            }
            notes.add(Diagnostics.note(lossSpan, "the loss is differentiated here"));
            ck.diags.error(where, "cannot train: " + e.getMessage(), notes.toArray(Diagnostic.Note[]::new));
            return null;
        }
    }

    /**
     * {@code clip = c}: all gradients scaled by {@code min(1, c / (norm + 1e-6))}, where norm is
     * the L2 norm of all of them together (PyTorch's clip_grad_norm_).
     */
    private Map<Node, Node> clip(Map<Node, Node> grads, double c) {
        if (grads.isEmpty()) return grads;
        var b = new Builder(ck.graph);
        Node sq = null;
        for (Node g : grads.values()) {
            Node term = b.apply("sum", b.cast(b.mul(g, g), DType.F32));
            sq = sq == null ? term : b.add(sq, term);
        }
        Node norm = b.apply("sqrt", sq);
        Node scale = b.apply("min", b.constant(1, norm), b.div(b.constant(c, norm), b.add(norm, b.constant(1e-6, norm))));
        var out = new LinkedHashMap<Node, Node>();
        grads.forEach((p, g) -> out.put(p, b.mul(g, b.cast(scale, Builder.dtype(g)))));
        return out;
    }

    // ================================================================== the optimizer

    /**
     * Stages {@code update(p, g)} for one parameter: hyperparameters are constants, or inputs when
     * scheduled; {@code t} is the step input; each state is a slot shaped like the parameter.
     * Returns the parameter's next value, adding the states' slots to {@code states}.
     */
    private Node update(Val.Optimizer opt, Node.Param p, Node g, List<TrainStep.Slot> states, Span span) {
        var decl = opt.decl();
        var optModule = ck.names.moduleOf(decl.span().source());
        var fixed = Env.readOnly("hyperparameter");
        opt.hyper().forEach((k, v) -> fixed.define(k, v instanceof Val.Schedule s ? scheduledInput(k, s) : v));
        fixed.define("t", new Val.Tensor(step.type(), step));
        var env = fixed.child();
        var config = new Ctx(optModule, env, null, new Bindings(), Ctx.Mode.CONFIG, new Val.Bool(true));
        var ctx = new Ctx(optModule, env, null, new Bindings(), Ctx.Mode.STAGED, new Val.Bool(true));
        var declared = new LinkedHashMap<String, Node.Param>();
        var inits = new LinkedHashMap<String, TrainStep.Initializer>();
        Member.MethodMember rule = members(decl.members(), config, p, declared, inits);
        if (rule == null || rule.params().size() != 2) return null;
        String pn = rule.params().get(0).name().name(), gn = rule.params().get(1).name().name();
        env.define(pn, new Val.Tensor(p.type(), p));
        env.fixType(pn);
        env.define(gn, new Val.Tensor((Type.Tensor) g.type(), g));
        int errors = ck.diags.errorCount();
        if (rule.body() instanceof Decl.Body.BlockBody bb) ck.eval.block(bb.block(), ctx);
        if (ck.diags.errorCount() > errors) {
            ck.diags.add(new Diagnostic(span, Diagnostic.Severity.NOTE, "while lowering the update of parameter '" + p.path() + "' " + p.type(), List.of()));
            return null;
        }
        declared.forEach((name, node) -> states.add(new TrainStep.Slot(node.path(), TrainStep.Kind.OPTIMIZER_STATE, node,
                inits.get(name), nodeOf(env.lookup(name), node))));
        return nodeOf(env.lookup(pn), p);
    }

    /** The optimizer's states (those whose condition holds) as parameters of their own, and its update method. */
    private Member.MethodMember members(List<Member> members, Ctx ctx, Node.Param p, Map<String, Node.Param> states,
                                        Map<String, TrainStep.Initializer> inits) {
        Member.MethodMember rule = null;
        for (Member mem : members) {
            switch (mem) {
                case Member.StateMember s -> {
                    var node = (Node.Param) ck.graph.add(new Node.Param("optimizer." + p.path() + "." + s.name().name(), p.type(), false), s.span());
                    states.put(s.name().name(), node);
                    inits.put(s.name().name(), TrainStep.Initializer.of(ck.builtins.initializer(s.init(), ctx)));
                    ctx.env().define(s.name().name(), new Val.Tensor(p.type(), node));
                    ctx.env().fixType(s.name().name());
                }
                case Member.IfMember im -> {
                    // The check made sure the condition is known once the hyperparameters are.
                    boolean holds = !Boolean.FALSE.equals(ck.eval.test(im.cond(), ctx).known());
                    var found = members(holds ? im.then() : im.otherwise(), ctx, p, states, inits);
                    if (found != null) rule = found;
                }
                case Member.MethodMember mm when mm.name().name().equals("update") -> rule = mm;
                default -> {}
            }
        }
        return rule;
    }

    /** The input that carries a scheduled hyperparameter's value, one per name for the whole step. */
    private Val scheduledInput(String name, Val.Schedule s) {
        for (var x : scheduled) if (x.name().equals(name)) return new Val.Tensor(x.input().type(), x.input());
        var in = ck.input("hyper." + name, Type.tensor(DType.F32));
        scheduled.add(new TrainStep.Scheduled(name, (Node.Input) in.node(), s));
        return in;
    }

    private static Node nodeOf(Val v, Node fallback) {
        return v instanceof Val.Tensor t && t.node() != null ? t.node() : fallback;
    }

    /**
     * A constant the checker knew only at run time (NaN: a symbolic size used as a value) has no
     * place in a concrete step; with every size known there should be none. Reported, not run.
     */
    private boolean runtimeConstantsResolved() {
        for (Node n : ck.graph.nodes()) {
            if (n instanceof Node.Const c && Double.isNaN(c.value())) {
                Span where = ck.graph.loc(n);
                ck.diags.error(where != null ? where : at, "this value is known only at run time and cannot be part of the training step");
                return false;
            }
        }
        return true;
    }
}
