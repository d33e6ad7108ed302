package dev.dlc.check;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Member;
import dev.dlc.ast.Module;
import dev.dlc.ast.TypeExpr;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Span;
import dev.dlc.ir.Graph;
import dev.dlc.resolve.Program;
import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The type and shape checker. Every declaration is checked on its own with symbolic
 * dimensions (a generic check); then every train job is checked end to end with its
 * data's types, which instantiates its model for those types. Checking is evaluation:
 * the same evaluator that computes config values types tensor code and builds the IR.
 */
public final class Checker {
    Diagnostics diags;
    final Names names;
    final Eval eval = new Eval(this);
    final Calls calls = new Calls(this);
    final Layers layers = new Layers(this);
    final Prims prims = new Prims(this);
    final Builtins builtins = new Builtins(this);
    Graph graph = new Graph();
    /** The top-level graph: parameters live here even when first met inside a scan's body, which sees it. */
    Graph rootGraph = graph;
    private final Program program;
    /** Each parameter and buffer node of the graph being built, with its layer member (initializer included). */
    final Map<dev.dlc.ir.Node, LayerInst.Param> paramInfo = new java.util.IdentityHashMap<>();
    /**
     * The new value of each buffer a training forward assigned (batch norm's running
     * statistics), the last assignment winning; reads in the same step see the old value.
     */
    final Map<dev.dlc.ir.Node, dev.dlc.ir.Node> bufferWrites = new LinkedHashMap<>();
    /** Declarations whose generic check failed: their instances stay quiet, so one mistake gives one report. */
    private final Set<Object> poisoned = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final Deque<Frame> frames = new ArrayDeque<>();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<Decl.LayerDecl, Type> forwardTypes = new java.util.IdentityHashMap<>();

    /** A checked train job: its model instance, the data's element types and the model's output type. */
    public record Job(String name, LayerInst model, List<Type.Tensor> data, Type output, CallRecord call) {}

    /** One application of a layer, for summaries: types in and out, FLOPs of its own primitives, nested calls. */
    public record CallRecord(LayerInst inst, List<Type> inputs, Type output, Dim flops, List<CallRecord> children) {}

    private static final class Frame {
        final LayerInst inst;
        final List<Type> inputs;
        Dim flops = Dim.of(0);
        final List<CallRecord> children = new ArrayList<>();
        Frame(LayerInst inst, List<Type> inputs) { this.inst = inst; this.inputs = inputs; }
    }

    private final Diagnostics rootDiags;       // never muted

    private Checker(Program program, Diagnostics diags) {
        this.program = program;
        this.diags = diags;
        this.rootDiags = diags;
        this.names = new Names(this, program, diags);
        diags.relocateWith(this::relocate);
    }

    /** Call sites in the user's own modules, innermost first, while library code they called runs. */
    private final Deque<Span> userCalls = new ArrayDeque<>();

    /** Runs a call; if it is written in a user module, errors inside library code it reaches are reported here. */
    <T> T atCall(Span site, Supplier<T> call) {
        boolean user = site != null && !isLibrary(site);
        if (user) userCalls.push(site);
        try {
            return call.get();
        } finally {
            if (user) userCalls.pop();
        }
    }

    boolean isLibrary(Span s) {
        var m = names.moduleOf(s.source());
        return m != null && m.name().startsWith("std.") && !program.root().name().startsWith("std.");
    }

    /**
     * An error inside the stdlib is the user's call of it: report it at that call, with a
     * note that shows where in the stdlib it happened.
     */
    private dev.dlc.diag.Diagnostic relocate(dev.dlc.diag.Diagnostic d) {
        if (userCalls.isEmpty() || !isLibrary(d.span())) return d;
        var notes = new ArrayList<dev.dlc.diag.Diagnostic.Note>();
        notes.add(Diagnostics.note(d.span(), "inside " + names.moduleOf(d.span().source()).name() + ", called from here"));
        notes.addAll(d.notes());
        return new dev.dlc.diag.Diagnostic(userCalls.peek(), d.severity(), d.message(), notes);
    }

    /** Checks a whole program; diagnostics go to {@code diags}. */
    public static Checker check(Program program, Diagnostics diags) {
        var ck = new Checker(program, diags);
        // The stdlib is checked by its own tests; a user's program checks only its own modules.
        boolean stdRoot = program.root().name().startsWith("std.");
        for (Module m : program.modules().values())
            if (stdRoot || !m.name().startsWith("std.")) ck.checkModule(m);
        return ck;
    }

    /** Evaluation steps used so far (for benchmarks and the budget). */
    public long steps() { return steps; }

    public Map<String, Job> jobs() { return java.util.Collections.unmodifiableMap(jobs); }
    public Graph graph() { return graph; }
    public Program program() { return program; }

    /** What a top-level name means to host code ({@code main}): a declaration of the root module's scope or a data set. */
    public enum HostKind { LAYER, FN, OPTIMIZER, SCHEDULE, TRAIN, DATA_SET }

    /** The kind of {@code name} as host code sees it; null for anything else (a primitive, a host builtin, unknown). */
    public HostKind hostKind(String name) {
        var m = program.root();
        return switch (names.decl(m, name)) {
            case Decl.LayerDecl _ -> HostKind.LAYER;
            case Decl.FnDecl _ -> HostKind.FN;
            case Decl.OptimizerDecl _ -> HostKind.OPTIMIZER;
            case Decl.ScheduleDecl _ -> HostKind.SCHEDULE;
            case Decl.TrainDecl _ -> HostKind.TRAIN;
            case null -> builtins.isDataSet(name) && names.sees(m, "std.data") ? HostKind.DATA_SET : null;
        };
    }

    private void checkModule(Module m) {
        for (Decl d : m.decls()) {
            int before = diags.errorCount();
            try {
                switch (d) {
                    case Decl.LayerDecl l -> genericLayer(l, m);
                    case Decl.FnDecl f -> genericFn(f, m);
                    case Decl.OptimizerDecl o -> optimizer(o, m);
                    case Decl.ScheduleDecl s -> schedule(s, m);
                    case Decl.TrainDecl t -> train(t, m);
                    case Decl.MainDecl main -> eval.block(main.body(), new Ctx(m, new Env(null), null, new Bindings(), Ctx.Mode.HOST, Val.Bool.UNKNOWN));
                    case Decl.Use u -> {}
                }
            } catch (StackOverflowError e) {
                diags.error(d.span(), "this declaration is nested too deeply to check");
            } catch (dev.dlc.types.DimError e) {
                // A dimension with no value that no rule caught where it was written.
                diags.error(d instanceof Decl.Named n ? n.name().span() : d.span(), "cannot compute a dimension: " + e.getMessage());
            }
            if (diags.errorCount() > before) poisoned.add(d);
        }
    }

    /**
     * Checking evaluates: unrolled loops and repeats multiply work, so a small file can ask
     * for an enormous program. A budget of evaluation steps per compilation turns that into
     * one error instead of an exhausted machine.
     */
    static final long STEP_BUDGET = 2_000_000;
    private long steps;

    boolean step(Span where) {
        if (++steps < STEP_BUDGET) return true;
        if (steps == STEP_BUDGET)
            rootDiags.error(where, "this program is too large to check: more than " + STEP_BUDGET
                    + " evaluation steps (look for a large repeat count or range)");
        return false;
    }

    /** Runs {@code body} with diagnostics muted when {@code decl} already failed its own check. */
    <T> T muted(Object decl, Supplier<T> body) {
        if (!poisoned.contains(decl)) return body.get();
        Diagnostics real = diags;
        diags = new Diagnostics();
        try {
            return body.get();
        } finally {
            diags = real;
        }
    }

    // ================================================================== generic checks

    /** Symbolic config values: defaults where declared, else a symbol or an unknown of the declared type. */
    private Map<String, Val> genericConfig(List<Decl.Param> params, Module m) { return genericConfig(params, m, false); }

    /** As above; {@code scheduleHyper} for a schedule's hyperparameters, which may be declared {@code Schedule}. */
    private Map<String, Val> genericConfig(List<Decl.Param> params, Module m, boolean scheduleHyper) {
        var env = new Env(null);
        var out = new LinkedHashMap<String, Val>();
        for (Decl.Param p : params) {
            if (p.type() != null) TypeMatch.validate(p.type(), diags, scheduleHyper);
            Val v;
            if (p.defaultValue() != null) {
                v = eval.expr(p.defaultValue(), new Ctx(m, env, null, new Bindings(), Ctx.Mode.CONFIG, Val.Bool.UNKNOWN));
                if (p.type() != null) v = calls.conform(p.type(), v, new Bindings(), p.defaultValue().span(), "default of '" + p.name().name() + "'");
            } else if (p.type() == null) {
                v = new Val.Bad();
            } else {
                v = unknownOf(p.type(), p.name().name(), p.span());
            }
            out.put(p.name().name(), v);
            env.define(p.name().name(), v);
        }
        return out;
    }

    private Val unknownOf(TypeExpr te, String name, Span span) {
        if (te.optional()) return new Val.None();
        if (TypeMatch.isSchedule(te)) return Val.Schedule.UNKNOWN;
        return switch (te) {
            case TypeExpr.Named n -> switch (TypeMatch.scalar(n.name().name()) == null ? Type.Scalar.INT : TypeMatch.scalar(n.name().name())) {
                case INT -> new Val.Int(Dim.sym(name));
                case FLOAT -> Val.Real.UNKNOWN;
                case BOOL -> Val.Bool.UNKNOWN;
                case STRING -> new Val.Str("");
            };
            case TypeExpr.ListOf l -> new Val.Bad();      // an unknown list: what depends on it stays unchecked here
            default -> valueOf(TypeMatch.resolveFresh(te, new Bindings(), span), name);
        };
    }

    /** A value of a static type whose contents are unknown: inputs for tensors, unknowns for scalars. */
    private Val valueOf(Type t, String name) {
        return switch (t) {
            case Type.Tensor tt -> input(name, tt);
            case Type.Tuple tu -> {
                var parts = new ArrayList<Val>();
                for (int i = 0; i < tu.parts().size(); i++) parts.add(valueOf(tu.parts().get(i), name + "." + i));
                yield new Val.TupleV(parts);
            }
            case Type.ListOf l -> new Val.ListV(List.of());
            case Type.Optional o -> valueOf(o.inner(), name);
            case Type.Scalar s -> switch (s) {
                case INT -> Val.Int.UNKNOWN;
                case FLOAT -> Val.Real.UNKNOWN;
                case BOOL -> Val.Bool.UNKNOWN;
                case STRING -> new Val.Str("");
            };
        };
    }

    /**
     * Config Ints without a default become symbols in a generic check. A shape fact that
     * mentions one (ResNet's identity path needs channels == C) may hold for the values a
     * user gives, so it is not reported there; it is checked when the layer is built with
     * values, in a train job, a summary, or a layer that uses it.
     */
    private final Set<String> configSymbols = new HashSet<>();

    /** Whether an error message mentions a config symbol: only then may the error vanish for some config values. */
    boolean mentionsConfig(String message) {
        for (String sym : configSymbols) if (java.util.regex.Pattern.compile("\\b" + java.util.regex.Pattern.quote(sym) + "\\b").matcher(message).find()) return true;
        return false;
    }

    boolean dependsOnConfig(List<Val> values) {
        if (configSymbols.isEmpty()) return false;
        for (Val v : values) {
            switch (v) {
                case Val.Tensor t -> {
                    for (var d : t.type().shape().dims()) for (String s : d.symbols()) if (configSymbols.contains(s)) return true;
                }
                case Val.ListV l -> { if (dependsOnConfig(l.items())) return true; }
                case Val.TupleV tu -> { if (dependsOnConfig(tu.items())) return true; }
                case Val.Int i -> { if (i.value() != null && i.value().symbols().stream().anyMatch(configSymbols::contains)) return true; }
                default -> {}
            }
        }
        return false;
    }

    boolean dependsOnConfig(Bindings b) {
        return !configSymbols.isEmpty() && b.all().values().stream()
                .anyMatch(x -> x.value().symbols().stream().anyMatch(configSymbols::contains));
    }

    private void genericLayer(Decl.LayerDecl l, Module m) {
        checkParamNames(l.params());
        var config = genericConfig(l.params(), m);
        configSymbols.clear();
        config.forEach((k, v) -> { if (v instanceof Val.Int i && i.value() != null && !i.value().isConst()) configSymbols.add(k); });
        try {
            genericForward(l, m, config);
        } finally {
            configSymbols.clear();
        }
    }

    private void genericForward(Decl.LayerDecl l, Module m, Map<String, Val> config) {
        Val v = layers.build(l, config, l.name().span(), new Ctx(m, new Env(null), null, new Bindings(), Ctx.Mode.CONFIG, Val.Bool.UNKNOWN));
        if (!(v instanceof Val.Layer layer) || layer.inst().kind != LayerInst.Kind.DECL) return;
        if (!(layer.inst().members.get("forward") instanceof Member.MethodMember fwd)) return;
        // The instance's own dimensions: `layer Net() = Block(16)` checks Block's forward with width = 16.
        var b = layers.dimsOf(layer.inst());
        var args = new ArrayList<Val.Arg>();
        for (Decl.Param p : fwd.params())
            args.add(new Val.Arg(p.name().name(), unknownFresh(p, b), p.span()));
        var ctx = new Ctx(m, new Env(null), null, new Bindings(), Ctx.Mode.STAGED, Val.Bool.UNKNOWN);
        Val out = layers.apply(layer.inst(), args, l.name().span(), ctx);
        if (type(out) != null) forwardTypes.put(l, type(out));
        // Optional arguments were given; check the code paths where they are not, too.
        var withoutOptional = args.stream().filter(a -> !isOptional(fwd.params(), a.keyword())).toList();
        if (withoutOptional.size() < args.size()) layers.apply(layer.inst(), withoutOptional, l.name().span(), ctx);
    }

    private static boolean isOptional(List<Decl.Param> params, String name) {
        return params.stream().anyMatch(p -> p.name().name().equals(name) && p.type() != null && p.type().optional());
    }

    /** Two parameters of one declaration with the same name. */
    void checkParamNames(List<Decl.Param> params) {
        var seen = new java.util.HashMap<String, Decl.Param>();
        for (Decl.Param p : params) {
            var first = seen.putIfAbsent(p.name().name(), p);
            if (first != null)
                diags.error(p.name().span(), "parameter '" + p.name().name() + "' is declared twice", Diagnostics.note(first.name().span(), "first declared here"));
        }
    }

    /** The result type of a layer's forward in its generic check (symbolic dimensions), if it checked. */
    public java.util.Optional<Type> forwardType(Decl.LayerDecl l) { return java.util.Optional.ofNullable(forwardTypes.get(l)); }

    /** A generic argument: its declared type with fresh symbols for the dimensions not bound yet. */
    private Val unknownFresh(Decl.Param p, Bindings b) {
        // Untyped: nothing is known, but the body's names and everything that does not depend on it are still checked.
        if (p.type() == null) return new Val.Bad();
        try {
            if (p.type() instanceof TypeExpr.Tensor || p.type() instanceof TypeExpr.Tuple)
                return valueOf(TypeMatch.resolveFresh(p.type(), b, p.span()), p.name().name());
            return unknownOf(p.type(), p.name().name(), p.span());
        } catch (dev.dlc.types.DimError e) {
            // A literal zero divisor is reported where it is written, by TypeMatch.validate.
            if (!e.getMessage().startsWith("division by zero")) diags.error(p.type().span(), "cannot compute this type: " + e.getMessage());
            return new Val.Bad();
        }
    }

    private void genericFn(Decl.FnDecl f, Module m) {
        checkParamNames(f.params());
        f.params().forEach(p -> { if (p.type() != null) TypeMatch.validate(p.type(), diags); });
        if (f.result() != null) TypeMatch.validate(f.result(), diags);
        genericFnRun(f, m, true);
        // Optional arguments were given; check the code paths where they are not, too.
        if (f.params().stream().anyMatch(p -> p.type() != null && p.type().optional())) genericFnRun(f, m, false);
    }

    private void genericFnRun(Decl.FnDecl f, Module m, boolean optionalGiven) {
        var b = new Bindings();
        var env = new Env(null);
        for (Decl.Param p : f.params()) {
            Val v = p.type() == null ? new Val.Bad()
                    : !optionalGiven && p.type().optional() ? new Val.None()
                    : p.defaultValue() != null && !(p.type() instanceof TypeExpr.Tensor)
                    ? eval.expr(p.defaultValue(), new Ctx(m, new Env(null), null, new Bindings(), Ctx.Mode.CONFIG, Val.Bool.UNKNOWN))
                    : unknownFresh(p, b);
            env.define(p.name().name(), v);
            Eval.markPresence(env, p, v);
        }
        calls.body(f, env, b, new Ctx(m, env, null, b, Ctx.Mode.STAGED, Val.Bool.UNKNOWN));
    }

    /** An optimizer's update is checked for a parameter of any shape: p, g and each state are f32[...]. */
    private void optimizer(Decl.OptimizerDecl o, Module m) {
        checkParamNames(o.params());
        var hyper = genericConfig(o.params(), m);
        var fixed = Env.readOnly("hyperparameter");
        hyper.forEach(fixed::define);
        fixed.define("t", Val.Int.UNKNOWN);
        var env = fixed.child();
        var any = new Type.Tensor(dev.dlc.types.DType.F32, new dev.dlc.types.Shape(TypeMatch.REST, List.of()));
        var ctx = new Ctx(m, env, null, new Bindings(), Ctx.Mode.STAGED, Val.Bool.UNKNOWN);
        Member.MethodMember update = optimizerMembers(o.members(), new Ctx(m, env, null, new Bindings(), Ctx.Mode.CONFIG, Val.Bool.UNKNOWN), any);
        if (update == null) { diags.error(o.name().span(), "optimizer " + o.name().name() + " has no update(p, g) method"); return; }
        if (update.params().size() != 2) { diags.error(update.name().span(), "update takes two arguments: the parameter and its gradient, update(p, g)"); return; }
        for (Decl.Param p : update.params()) {
            env.define(p.name().name(), input(p.name().name(), any));
            env.fixType(p.name().name());          // the update keeps the parameter's type
        }
        switch (update.body()) {
            case Decl.Body.BlockBody bb -> eval.block(bb.block(), ctx);
            case Decl.Body.ExprBody e -> diags.error(e.span(), "update is a block of assignments: update(p, g) { p = p - lr * g }");
        }
    }

    /** Defines the states (conditional ones when their condition holds) and returns the update method. */
    private Member.MethodMember optimizerMembers(List<Member> members, Ctx ctx, Type.Tensor any) {
        Member.MethodMember update = null;
        for (Member mem : members) {
            switch (mem) {
                case Member.StateMember s -> {
                    if (!(s.init() instanceof dev.dlc.ast.Expr.Name n && Set.of("zeros", "ones").contains(n.name())))
                        builtins.initializer(s.init(), ctx);
                    ctx.env().define(s.name().name(), input(s.name().name(), any));
                    ctx.env().fixType(s.name().name());
                }
                case Member.IfMember im -> {
                    Boolean known = eval.test(im.cond(), ctx).known();
                    var found = optimizerMembers(known == null || known ? im.then() : im.otherwise(), ctx, any);
                    if (found != null) update = found;
                }
                case Member.MethodMember mm when mm.name().name().equals("update") -> update = mm;
                default -> diags.error(mem.name().span(), "an optimizer holds `state` members and one `update(p, g)` method; found '" + mem.name().name() + "'");
            }
        }
        return update;
    }

    private void schedule(Decl.ScheduleDecl s, Module m) {
        checkParamNames(java.util.stream.Stream.concat(s.hyper().stream(), s.args().stream()).toList());
        var hyper = genericConfig(s.hyper(), m, true);
        var env = new Env(null);
        hyper.forEach(env::define);
        for (Decl.Param p : s.args()) {
            if (p.type() != null) TypeMatch.validate(p.type(), diags);
            // The step is a run-time Int: no symbol, so `step / warmup` is a Float.
            Val v = p.type() == null ? Val.Int.UNKNOWN : unknownOf(p.type(), p.name().name(), p.span());
            env.define(p.name().name(), v instanceof Val.Int ? Val.Int.UNKNOWN : v);
        }
        var ctx = new Ctx(m, env, null, new Bindings(), Ctx.Mode.STAGED, Val.Bool.UNKNOWN);
        Val v = switch (s.body()) {
            case Decl.Body.ExprBody e -> eval.expr(e.expr(), ctx);
            case Decl.Body.BlockBody bb -> { Val r = eval.block(bb.block(), ctx); yield r == null ? new Val.Bad() : r; }
        };
        if (!(v instanceof Val.Bad) && !Scalars.isNumber(v))
            diags.error(s.body().span(), "schedule " + s.name().name() + " must compute a Float, found " + Val.describe(v));
    }

    // ================================================================== train jobs

    private static final List<String> TRAIN_KEYS = List.of("model", "data", "loss", "optimizer", "epochs", "metrics", "clip",
            "regularize", "checkpoint", "seed", "batch");

    /** A train block's entries, evaluated: values and where each was given. */
    record TrainEntries(Map<String, Val> values, Map<String, Span> spans) {}

    private void train(Decl.TrainDecl t, Module m) {
        var entries = trainEntries(t, m);
        var values = entries.values();
        var spans = entries.spans();
        checkTrainEntries(t, values, spans);
        stageTrain(t, m, values, spans);
    }

    /** Evaluates a train block's entries (config mode, training on), reporting unknown and repeated keys. */
    TrainEntries trainEntries(Decl.TrainDecl t, Module m) {
        var values = new LinkedHashMap<String, Val>();
        var spans = new LinkedHashMap<String, Span>();
        var ctx = new Ctx(m, new Env(null), null, new Bindings(), Ctx.Mode.CONFIG, new Val.Bool(true));
        for (Decl.TrainEntry e : t.entries()) {
            String key = e.key().name();
            if (!TRAIN_KEYS.contains(key)) {
                diags.error(e.key().span(), "train: unknown key '" + key + "'" + Names.didYouMean(key, TRAIN_KEYS));
                continue;
            }
            if (values.containsKey(key)) {
                diags.error(e.key().span(), "train: key '" + key + "' is given twice", Diagnostics.note(spans.get(key), "first given here"));
                continue;
            }
            Val v = key.equals("regularize") ? regularizer(e.value(), ctx)
                    : key.equals("loss") ? layers.partial(e.value(), ctx)
                    : key.equals("metrics") && e.value() instanceof dev.dlc.ast.Expr.ListLit l
                    ? new Val.ListV(l.items().stream().map(x -> layers.partial(x, ctx)).toList())
                    : eval.expr(e.value(), ctx);
            values.put(key, v);
            spans.put(key, e.value().span());
        }
        applyOverrides(t.name().name(), values);
        return new TrainEntries(values, spans);
    }

    // ================================================================== --set key=value

    /** `--set` values by job, each key ("epochs", "optimizer.lr", "data.batch") to its value. */
    private final Map<String, Map<String, Val>> overrides = new LinkedHashMap<>();

    /** Where a train block gives {@code key} (its value's span), or the block's name when it does not. */
    public Span trainEntrySpan(String job, String key) {
        var t = trainDecl(job);
        if (t == null) return null;
        return t.entries().stream().filter(e -> e.key().name().equals(key)).map(e -> e.value().span()).findFirst().orElse(t.name().span());
    }

    /** The train block's entries as evaluated, overrides applied (for the training loop). */
    public Map<String, Val> trainValues(String job) {
        var t = trainDecl(job);
        return t == null ? null : trainEntries(t, program.root()).values();
    }

    /**
     * {@code --set key=value} for job {@code job}: a top-level scalar key (epochs, seed, clip,
     * batch, checkpoint), an optimizer hyperparameter ({@code optimizer.lr}) or a data-set option
     * ({@code data.batch}). Returns null when accepted, else what is wrong, in a sentence.
     */
    public String override(String job, String key, String text) {
        var t = trainDecl(job);
        if (t == null) return "no train job named '" + job + "'";
        Val v = parseSetting(text.strip());
        var values = trainEntries(t, program.root()).values();
        int dot = key.indexOf('.');
        String head = dot < 0 ? key : key.substring(0, dot), rest = dot < 0 ? null : key.substring(dot + 1);
        Val old;
        switch (head) {
            case "epochs", "seed", "clip", "batch" -> {
                if (rest != null) return "'" + head + "' has no parts";
                old = values.getOrDefault(key, head.equals("clip") ? new Val.Real(1.0) : Val.Int.of(1));
                // a seed may be 0 (the default one); counts and the clipping norm must be positive
                long least = head.equals("seed") ? 0 : 1;
                if (head.equals("clip") ? !(Scalars.isNumber(v) && Scalars.real(v) > 0) : !(v instanceof Val.Int i && i.known() && i.get() >= least))
                    return key + " expects " + (head.equals("clip") ? "a positive number" : least == 0 ? "an Int >= 0" : "a positive Int") + ", found '" + text + "'";
            }
            case "checkpoint" -> {
                if (rest != null) return "'checkpoint' has no parts";
                if (!(v instanceof Val.Str)) return "checkpoint expects a directory, found '" + text + "'";
                old = v;
            }
            case "optimizer" -> {
                if (!(values.get("optimizer") instanceof Val.Optimizer o)) return "the job has no optimizer";
                if (rest == null || !o.hyper().containsKey(rest))
                    return "optimizer " + o.decl().name().name() + " has no hyperparameter '" + rest + "'" + Names.didYouMean(String.valueOf(rest), new ArrayList<>(o.hyper().keySet()));
                old = o.hyper().get(rest);
            }
            case "data" -> {
                if (!(values.get("data") instanceof Val.Data d)) return "the job has no data set";
                if (rest == null || !d.options().containsKey(rest))
                    return "data set " + d.kind() + " has no option '" + rest + "'" + Names.didYouMean(String.valueOf(rest), new ArrayList<>(d.options().keySet()));
                // Options that size the elements are part of the model's types, checked at compile time.
                if (Set.of("features", "resize", "seq_len", "vocab", "classes", "degree").contains(rest))
                    return "data." + rest + " sizes the model's input; change it in the file, where the shapes are checked";
                old = d.options().get(rest);
            }
            default -> { return "unknown key '" + key + "'; --set takes epochs, seed, clip, batch, checkpoint, optimizer.NAME or data.NAME"; }
        }
        boolean fits = switch (old) {
            case Val.Int i -> v instanceof Val.Int;
            case Val.Real r -> Scalars.isNumber(v);
            case Val.Bool b -> v instanceof Val.Bool;
            case Val.Str str -> v instanceof Val.Str;
            default -> false;
        };
        if (!fits) return key + " is " + (old instanceof Val.Schedule ? "a schedule" : Val.describe(old)) + ", which '" + text + "' is not";
        overrides.computeIfAbsent(job, _ -> new LinkedHashMap<>()).put(key, old instanceof Val.Real && v instanceof Val.Int i ? new Val.Real((double) i.get()) : v);
        return null;
    }

    private static Val parseSetting(String text) {
        if (text.matches("-?\\d+")) return Val.Int.of(Long.parseLong(text));
        if (text.equals("true") || text.equals("false")) return new Val.Bool(text.equals("true"));
        try {
            return new Val.Real(Double.parseDouble(text));
        } catch (NumberFormatException e) {
            return new Val.Str(text.startsWith("\"") && text.endsWith("\"") && text.length() > 1 ? text.substring(1, text.length() - 1) : text);
        }
    }

    private void applyOverrides(String job, Map<String, Val> values) {
        for (var e : overrides.getOrDefault(job, Map.of()).entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            if (dot < 0) { values.put(key, e.getValue()); continue; }
            String rest = key.substring(dot + 1);
            if (key.startsWith("optimizer.") && values.get("optimizer") instanceof Val.Optimizer o) {
                var hyper = new LinkedHashMap<>(o.hyper());
                hyper.put(rest, e.getValue());
                values.put("optimizer", new Val.Optimizer(o.decl(), hyper));
            } else if (key.startsWith("data.") && values.get("data") instanceof Val.Data d) {
                var options = new LinkedHashMap<>(d.options());
                options.put(rest, e.getValue());
                values.put("data", new Val.Data(d.kind(), d.inputs(), d.label(), options));
            }
        }
    }

    private void checkTrainEntries(Decl.TrainDecl t, Map<String, Val> values, Map<String, Span> spans) {
        for (String req : List.of("model", "data", "loss", "optimizer")) {
            if (!values.containsKey(req)) diags.error(t.name().span(), "train " + t.name().name() + ": missing key '" + req + "'");
        }
        checkScalarKey(values, spans, "epochs", true);
        checkScalarKey(values, spans, "seed", true);
        checkScalarKey(values, spans, "batch", true);
        checkScalarKey(values, spans, "clip", false);
        if (values.get("checkpoint") instanceof Val v && !(v instanceof Val.Str || v instanceof Val.Bad))
            diags.error(spans.get("checkpoint"), "train: checkpoint expects a String path, found " + Val.describe(v));
        if (values.get("optimizer") instanceof Val v && !(v instanceof Val.Optimizer || v instanceof Val.Bad))
            diags.error(spans.get("optimizer"), "train: optimizer expects an optimizer such as sgd(lr = 0.1), found " + Val.describe(v));
        Val model = values.get("model"), data = values.get("data");
        if (model != null && !(model instanceof Val.Layer || model instanceof Val.Bad))
            diags.error(spans.get("model"), "train: model expects a layer, found " + Val.describe(model));
        if (data != null && !(data instanceof Val.Data || data instanceof Val.Bad))
            diags.error(spans.get("data"), "train: data expects a data set such as fashion_mnist(batch = 256), found " + Val.describe(data));
    }

    /** Applies the model to the data's types and the loss and metrics to its output, generically (the batch is B). */
    private void stageTrain(Decl.TrainDecl t, Module m, Map<String, Val> values, Map<String, Span> spans) {
        Val model = values.get("model"), data = values.get("data");
        if (!(model instanceof Val.Layer layer) || !(data instanceof Val.Data ds)) return;
        var y = ds.label();
        var staged = new Ctx(m, new Env(null), null, new Bindings(), Ctx.Mode.STAGED, new Val.Bool(true));
        Span at = spans.get("model");
        var top = new Frame(null, List.of());
        frames.push(top);
        var xs = new ArrayList<Val.Arg>();
        for (int i = 0; i < ds.inputs().size(); i++)
            xs.add(new Val.Arg(null, input(ds.inputs().size() == 1 ? "x" : "x" + i, ds.inputs().get(i)), at));
        Val out = layers.apply(layer.inst(), xs, at, staged);
        frames.pop();
        CallRecord call = top.children.isEmpty() ? null : top.children.getFirst();
        jobs.put(t.name().name(), new Job(t.name().name(), layer.inst(), ds.inputs(), out instanceof Val.Tensor o ? o.type() : null, call));
        if (!(out instanceof Val.Tensor)) return;
        var yv = input("y", y);
        if (values.get("loss") instanceof Val.Layer l) {
            diags.error(spans.get("loss"), "train: loss expects a function (prediction, target) -> f32[], such as cross_entropy; found layer " + l.inst().typeName());
        } else if (values.get("loss") instanceof Val lossFn && !(lossFn instanceof Val.Bad)) {
            int before = diags.errorCount();
            // The loss is applied where it is named: a loss that does not fit the model's output or the labels is reported there.
            Span ls = spans.get("loss");
            Val loss = calls.invoke(lossFn, List.of(new Val.Arg(null, out, ls), new Val.Arg(null, yv, ls)), ls, staged);
            if (!(loss instanceof Val.Bad) && !(loss instanceof Val.Tensor lt && lt.type().rank() == 0 && !lt.type().shape().hasRest() && lt.type().dtype().isFloat()))
                diags.error(spans.get("loss"), "train: the loss must be a float scalar f32[], found " + Val.describe(loss));
            // The usual cause is the model's output, not the loss: say what the loss was given.
            if (diags.errorCount() > before)
                diags.add(new dev.dlc.diag.Diagnostic(spans.get("model"), dev.dlc.diag.Diagnostic.Severity.NOTE,
                        "the model's output is " + ((Val.Tensor) out).type() + " and the labels are " + y, List.of()));
        }
        if (values.get("metrics") instanceof Val.ListV metrics) {
            for (Val metric : metrics.items()) {
                Span ms = spans.get("metrics");
                Val r = calls.invoke(metric, List.of(new Val.Arg(null, out, ms), new Val.Arg(null, yv, ms)), ms, staged);
                if (!(r instanceof Val.Bad) && !(r instanceof Val.Tensor rt && rt.type().rank() == 0))
                    diags.error(spans.get("metrics"), "train: a metric must compute a scalar, found " + Val.describe(r));
            }
        } else if (values.get("metrics") instanceof Val v && !(v instanceof Val.Bad)) {
            diags.error(spans.get("metrics"), "train: metrics expects a list such as [accuracy], found " + Val.describe(v));
        }
    }

    /** {@code regularize = l2(1e-4)}: a penalty on the weights, l1 or l2 with a positive strength. */
    private Val regularizer(dev.dlc.ast.Expr e, Ctx ctx) {
        if (e instanceof dev.dlc.ast.Expr.Call call && call.callee() instanceof dev.dlc.ast.Expr.Name n
                && (n.name().equals("l1") || n.name().equals("l2")) && call.args().size() == 1 && call.args().getFirst().keyword() == null) {
            Val strength = eval.expr(call.args().getFirst().value(), ctx);
            if (strength instanceof Val.Bad) return strength;
            Double d = Scalars.real(strength);
            if (Scalars.isNumber(strength) && (d == null || d >= 0)) return new Val.Init(n.name(), List.of(d == null ? Double.NaN : d));
            diags.error(call.args().getFirst().span(), "train: " + n.name() + " expects a non-negative strength, found " + Val.describe(strength));
            return new Val.Bad();
        }
        diags.error(e.span(), "train: regularize expects l1(strength) or l2(strength), e.g. regularize = l2(1e-4)");
        return new Val.Bad();
    }

    private void checkScalarKey(Map<String, Val> values, Map<String, Span> spans, String key, boolean integer) {
        Val v = values.get(key);
        if (v == null || v instanceof Val.Bad) return;
        boolean ok = integer ? v instanceof Val.Int i && (!i.known() || i.get() > 0) : Scalars.isNumber(v) && (Scalars.real(v) == null || Scalars.real(v) > 0);
        if (!ok) diags.error(spans.get(key), "train: " + key + " expects a positive " + (integer ? "Int" : "number") + ", found "
                + (v instanceof Val.Int i && i.known() ? i.get() : Val.describe(v)));
    }

    // ================================================================== instantiation for tools

    /**
     * Instantiates layer {@code name} of the root module with its default config and applies
     * it to inputs of the given types, for `dlc ir` and `dlc check --summary`. The graph of
     * the forward is left in {@link #graph}.
     */
    public Job instantiate(String name, List<Type.Tensor> inputs, Span where) { return instantiate(name, inputs, where, false); }

    /**
     * Layer {@code name} built with config values from a host program ({@code Long}, {@code
     * Double}, {@code Boolean}, {@code String}, lists of them) and applied in inference mode to
     * inputs of the given types (the embedding API). Wrong config values are diagnostics.
     */
    public Job instantiate(String name, Map<String, Object> config, List<Type.Tensor> inputs, Span where) {
        if (!(names.decl(program.root(), name) instanceof Decl.LayerDecl l)) return instantiate(name, inputs, where, false);
        freshGraph();
        var args = new ArrayList<Val.Arg>();
        config.forEach((k, v) -> args.add(new Val.Arg(k, hostValue(v), where)));
        var cfgCtx = new Ctx(program.root(), new Env(null), null, new Bindings(), Ctx.Mode.CONFIG, new Val.Bool(false));
        Val v = layers.construct(l, args, where, cfgCtx);
        return v instanceof Val.Layer layer ? apply(layer.inst(), inputs, where, false) : null;
    }

    /**
     * Data set {@code name} called from host code with these arguments (host values, keyword
     * null for a positional one), checked as in a train block: its options with defaults and
     * its element types; null after reporting what is wrong at {@code where}.
     */
    public Val.Data dataSet(String name, List<Object> positional, Map<String, Object> keywords, Span where) {
        var args = new ArrayList<Val.Arg>();
        positional.forEach(v -> args.add(new Val.Arg(null, hostValue(v), where)));
        keywords.forEach((k, v) -> args.add(new Val.Arg(k, hostValue(v), where)));
        var ctx = new Ctx(program.root(), new Env(null), null, new Bindings(), Ctx.Mode.CONFIG, new Val.Bool(false));
        return builtins.data(name, args, where, ctx) instanceof Val.Data d ? d : null;
    }

    private static Val hostValue(Object v) {
        return switch (v) {
            case Integer i -> Val.Int.of(i);
            case Long i -> Val.Int.of(i);
            case Double d -> new Val.Real(d);
            case Float f -> new Val.Real((double) f);
            case Boolean b -> new Val.Bool(b);
            case String str -> new Val.Str(str);
            case List<?> list -> new Val.ListV(list.stream().map(Checker::hostValue).toList());
            default -> new Val.Str(String.valueOf(v));
        };
    }

    /** How a parameter or buffer of the graph last built starts (its declared initializer); zeros when unknown. */
    public TrainStep.Initializer initializerOf(dev.dlc.ir.Node.Param p) {
        var info = paramInfo.get(p);
        return TrainStep.Initializer.of(info == null ? null : info.init());
    }

    /** As {@link #instantiate(String, List, Span)}, with the stage flag {@code training} of the forward given. */
    public Job instantiate(String name, List<Type.Tensor> inputs, Span where, boolean training) {
        var m = program.root();
        var d = names.decl(m, name);
        freshGraph();
        if (d instanceof Decl.FnDecl f) return instantiateFn(f, inputs, where);
        if (!(d instanceof Decl.LayerDecl l)) {
            diags.error(where, "no layer or fn named '" + name + "'" + Names.didYouMean(name, names.declNames(m)));
            return null;
        }
        var cfgCtx = new Ctx(m, new Env(null), null, new Bindings(), Ctx.Mode.CONFIG, new Val.Bool(false));
        Val v = layers.construct(l, List.of(), where, cfgCtx);
        return v instanceof Val.Layer layer ? apply(layer.inst(), inputs, where, training) : null;
    }

    /** Applies a model in inference (or training) mode to inputs of the given types, recording the graph's outputs and the call tree. */
    private Job apply(LayerInst model, List<Type.Tensor> inputs, Span at, boolean training) {
        var args = new ArrayList<Val.Arg>();
        for (int i = 0; i < inputs.size(); i++) args.add(new Val.Arg(null, input(inputs.size() == 1 ? "x" : "x" + i, inputs.get(i)), at));
        var top = new Frame(null, List.of());
        frames.push(top);
        Val out = layers.apply(model, args, at, new Ctx(program.root(), new Env(null), null, new Bindings(), Ctx.Mode.STAGED, new Val.Bool(training)));
        frames.pop();
        if (!(out instanceof Val.Tensor || out instanceof Val.TupleV)) return null;
        outputs(out);
        return new Job(model.typeName(), model, inputs, type(out), top.children.isEmpty() ? null : top.children.getFirst());
    }

    /**
     * Concrete input types for a layer or fn of the root module, for `dlc gradcheck`: its
     * declared argument types with the config's sizes, the batch B = 2 and every other
     * free dimension = {@code size}. Null when an argument is untyped or not a tensor, or
     * the layer needs config values.
     */
    public List<Type.Tensor> sampleInputs(String name, long size) {
        var d = names.decl(program.root(), name);
        List<Decl.Param> params;
        Bindings b;
        switch (d) {
            case Decl.FnDecl f -> { params = f.params(); b = new Bindings(); }
            case Decl.LayerDecl l -> {
                if (l.params().stream().anyMatch(p -> p.defaultValue() == null)) return null;
                var v = layers.construct(l, List.of(), l.name().span(), new Ctx(program.root(), new Env(null), null, new Bindings(), Ctx.Mode.CONFIG, new Val.Bool(false)));
                if (!(v instanceof Val.Layer layer) || !(layer.inst().members.get("forward") instanceof Member.MethodMember fwd)) return null;
                params = fwd.params();
                b = Layers.dimsOf(layer.inst());
            }
            case null, default -> { return null; }
        }
        var out = new ArrayList<Type.Tensor>();
        for (Decl.Param p : params) {
            if (!(p.type() instanceof TypeExpr.Tensor te) || te.optional()) {
                if (p.type() != null && p.type().optional()) continue;
                return null;
            }
            for (var dim : te.dims())
                for (String n : TypeMatch.names(dim)) if (!b.has(n)) b.bind(n, Dim.of(n.equals("B") ? 2 : size), null, "by gradcheck");
            try {
                var t = (Type.Tensor) TypeMatch.resolveFresh(te, b, p.span());
                if (t.shape().hasRest()) t = t.withShape(new dev.dlc.types.Shape(null, prepend(Dim.of(2), t.shape().dims())));
                out.add(t);
            } catch (dev.dlc.types.DimError e) {
                return null;
            }
        }
        return out;
    }

    private static List<Dim> prepend(Dim d, List<Dim> dims) {
        var out = new ArrayList<Dim>();
        out.add(d);
        out.addAll(dims);
        return out;
    }

    /**
     * Builds a train job's model again, as its `model =` entry says (with its config), and
     * applies it to the job's data types in inference mode, for `dlc ir` of the job.
     */
    public Job instantiateJob(String name) {
        var job = jobs.get(name);
        return job == null ? null : instantiateJob(name, job.data(), false);
    }

    /** The same on other data types (a smaller batch, for `dlc gradcheck`), in inference or training mode. */
    public Job instantiateJob(String name, List<Type.Tensor> data, boolean training) {
        var t = trainDecl(name);
        var job = jobs.get(name);
        if (t == null || job == null) return null;
        var modelExpr = t.entries().stream().filter(e -> e.key().name().equals("model")).findFirst().orElse(null);
        if (modelExpr == null) return null;
        freshGraph();
        var m = program.root();
        Val model = eval.expr(modelExpr.value(), new Ctx(m, new Env(null), null, new Bindings(), Ctx.Mode.CONFIG, new Val.Bool(false)));
        return model instanceof Val.Layer layer ? apply(layer.inst(), data, modelExpr.value().span(), training) : null;
    }

    private Job instantiateFn(Decl.FnDecl f, List<Type.Tensor> inputs, Span where) {
        var args = new ArrayList<Val.Arg>();
        for (int i = 0; i < inputs.size(); i++) args.add(new Val.Arg(null, input(f.params().size() > i ? f.params().get(i).name().name() : "x" + i, inputs.get(i)), where));
        var ctx = new Ctx(program.root(), new Env(null), null, new Bindings(), Ctx.Mode.STAGED, new Val.Bool(false));
        Val out = calls.callFn(f, args, where, ctx);
        if (!(out instanceof Val.Tensor || out instanceof Val.TupleV)) return null;
        outputs(out);
        return new Job(f.name().name(), null, inputs, type(out), null);
    }

    private void outputs(Val v) {
        switch (v) {
            case Val.Tensor t -> { if (t.node() != null) graph.output(t.node()); }
            case Val.TupleV t -> t.items().forEach(this::outputs);
            default -> {}
        }
    }

    private static Type type(Val v) {
        return switch (v) {
            case Val.Tensor t -> t.type();
            case Val.TupleV t -> new Type.Tuple(t.items().stream().map(Checker::type).toList());
            default -> null;
        };
    }

    /** An input of the program being staged (the batch, a generic argument, a scan slice). */
    Val.Tensor input(String name, Type.Tensor t) {
        return new Val.Tensor(t, graph.add(new dev.dlc.ir.Node.Input(name, t), null));
    }

    // ================================================================== frames (for summaries)

    Object enter(LayerInst inst, List<Val.Arg> args) {
        var inputs = args.stream().map(a -> a.value() instanceof Val.Tensor t ? (Type) t.type() : null).toList();
        var f = new Frame(inst, inputs);
        frames.push(f);
        return f;
    }

    void exit(Object frame, Val out) {
        var f = (Frame) frame;
        while (!frames.isEmpty() && frames.peek() != f) frames.pop();
        if (!frames.isEmpty()) frames.pop();
        var rec = new CallRecord(f.inst, f.inputs, out instanceof Val.Bad ? null : type(out), f.flops, List.copyOf(f.children));
        if (!frames.isEmpty()) frames.peek().children.add(rec);
    }

    private long dropoutSites;

    /** Starts a new program: an empty graph, dropout streams from 0, no parameters or buffer writes yet. */
    void freshGraph() {
        graph = rootGraph = new Graph();
        dropoutSites = 0;
        paramInfo.clear();
        bufferWrites.clear();
    }

    // ================================================================== lowering a train step

    /**
     * The training step of job {@code name} for batches of {@code batch} examples (0: the data
     * set's batch size), as one IR program; null after reporting why it cannot be built (a
     * gradient that cannot be taken).
     * Call on a program that checked clean.
     */
    public TrainStep lowerStep(String name, long batch) { return lowerStep(name, batch, null); }

    /**
     * As {@link #lowerStep(String, long)}, with the model's inputs of the given concrete types
     * instead of the data set's (smaller images, for `dlc gradcheck`); null: the data set's.
     */
    public TrainStep lowerStep(String name, long batch, List<Type.Tensor> inputs) {
        var t = trainDecl(name);
        if (t == null || !jobs.containsKey(name)) return null;
        return new StepLowering(this).lower(t, program.root(), batch, inputs);
    }

    /** The evaluation program of job {@code name} (inference mode: loss and metrics) for batches of {@code batch}. */
    public EvalStep lowerEval(String name, long batch) {
        var t = trainDecl(name);
        if (t == null || !jobs.containsKey(name)) return null;
        return new StepLowering(this).lowerEval(t, program.root(), batch, null);
    }

    /**
     * The value of a schedule at a 1-based step, computed by running its body with the step
     * known; NaN when the body does not give a number (it was checked to).
     */
    public double scheduleAt(Val.Schedule s, long step) {
        // Run once per training step, so it must not spend the budget that bounds checking.
        long spent = steps;
        try {
            Val v = scheduleValue(s, Val.Int.of(step));
            Double d = v == null ? null : Scalars.real(v);
            return d == null ? Double.NaN : d;
        } finally {
            steps = spent;
        }
    }

    /**
     * A schedule's body run with its hyperparameters and {@code step} (an unknown Int when
     * a schedule is checked): its value, null when the body has no `return`.
     */
    Val scheduleValue(Val.Schedule s, Val step) {
        var module = names.moduleOf(s.decl().span().source());
        var env = new Env(null);
        s.hyper().forEach(env::define);
        for (Decl.Param p : s.decl().args()) env.define(p.name().name(), step);
        var ctx = new Ctx(module, env, null, new Bindings(), Ctx.Mode.STAGED, new Val.Bool(true));
        return switch (s.decl().body()) {
            case Decl.Body.ExprBody e -> eval.expr(e.expr(), ctx);
            case Decl.Body.BlockBody bb -> eval.block(bb.block(), ctx);
        };
    }

    Decl.TrainDecl trainDecl(String name) {
        return program.root().decls().stream().filter(d -> d instanceof Decl.TrainDecl td && td.name().name().equals(name))
                .map(d -> (Decl.TrainDecl) d).findFirst().orElse(null);
    }

    /** The next dropout stream of the graph being built (numbered from 0 in each graph). */
    long nextDropoutSite() { return dropoutSites++; }

    /** All FLOPs counted so far, in every layer call: a mark to measure a stretch of staging (a scan's step). */
    Dim flopMark() { return totalFlops; }

    private Dim totalFlops = Dim.of(0);

    void countFlops(Dim flops) {
        if (flops == null) return;
        totalFlops = totalFlops.plus(flops);
        if (!frames.isEmpty()) frames.peek().flops = frames.peek().flops.plus(flops);
    }

    /** The std module (not imported) that declares {@code name}, for "add `use std.nn`" hints. */
    String stdModuleDefining(String name) {
        for (String mod : dev.dlc.resolve.ModuleLoader.STD_MODULES)
            if (stdNames(mod).contains(name)) return mod;
        return null;
    }

    private static final Map<String, Set<String>> STD_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The names a std module declares, read once per JVM (only when a name is undefined). */
    private static Set<String> stdNames(String mod) {
        return STD_NAMES.computeIfAbsent(mod, m -> {
            var text = dev.dlc.resolve.ModuleLoader.classPathResource(m.replace('.', '/') + ".dl").orElse("");
            var parsed = dev.dlc.parse.Parser.parse(m, new dev.dlc.diag.Source(m, text), new Diagnostics());
            var out = new HashSet<String>();
            for (Decl d : parsed.decls()) if (d instanceof Decl.Named n) out.add(n.name().name());
            return out;
        });
    }
}
