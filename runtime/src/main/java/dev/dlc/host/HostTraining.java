package dev.dlc.host;

import com.oracle.truffle.api.source.SourceSection;
import dev.dlc.Compiler;
import dev.dlc.check.Checker;
import dev.dlc.check.TrainStep;
import dev.dlc.data.DataError;
import dev.dlc.data.KFold;
import dev.dlc.data.Split;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Span;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Node;
import dev.dlc.ops.Tensor;
import dev.dlc.train.Checkpoint;
import dev.dlc.train.CheckpointError;
import dev.dlc.train.Initializers;
import dev.dlc.train.TrainLoop;
import dev.dlc.truffle.DlException;
import dev.dlc.truffle.DlGlobal;
import dev.dlc.truffle.DlList;
import dev.dlc.truffle.HostBuiltins;
import dev.dlc.truffle.Values;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training builtins of host code (LANGUAGE.md §8): {@code train} blocks, {@code fit},
 * {@code evaluate}, {@code predict}, {@code save}, {@code load}, {@code kfold}, calls of the
 * program's layers (a model), data sets, fns (run on tensors) and of optimizers, schedules and
 * losses (kept as configured values); everything else goes to the basic builtins.
 *
 * <p>{@code fit} and {@code evaluate} write the train job they stand for as DL source, after
 * the program's own text, and check it: a model, data set or loss that does not fit is the
 * checker's diagnostic, reported at the call. Compiled programs are cached by their text, so a
 * loop over folds or models of one shape compiles once.
 */
public final class HostTraining implements HostBuiltins {
    private static final String JOB = "__host", LAYER = "__host_model";
    private static final Set<String> TENSORS = Set.of("tensor", "zeros", "ones", "full");

    private final HostBuiltins base;
    private final PrintWriter out;
    private final HostSettings settings;
    private final Map<String, Compiler.Compilation> compiled = new HashMap<>();
    private final Map<String, Split> opened = new HashMap<>();
    private final Map<String, Graph> fns = new HashMap<>();
    private long models;

    public HostTraining(HostBuiltins base, OutputStream out, HostSettings settings) {
        this.base = base;
        this.out = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        this.settings = settings;
    }

    // ================================================================== train blocks

    @Override public Object value(Compiler.Compilation c) { return new HostProgramObject(c, this); }

    @Override public void train(Compiler.Compilation c, String job, SourceSection at) { trainJob(c, job, at); }

    /** Runs train job {@code job} (after the --set overrides) and returns its trained model. */
    HostModel trainJob(Compiler.Compilation c, String job) { return trainJob(c, job, null); }

    /** Layer {@code name} built with {@code config}, without weights until it first runs. */
    HostModel model(Compiler.Compilation c, String name, Map<String, Object> config) {
        if (c.checker().hostKind(name) != Checker.HostKind.LAYER) throw DlException.at((SourceSection) null, "no layer named '" + name + "'");
        return new HostModel(DlText.call(name, List.of(), config), models++);
    }

    private HostModel trainJob(Compiler.Compilation c, String job, SourceSection at) {
        for (String s : settings.overrides()) {
            int eq = s.indexOf('=');
            String problem = eq <= 0 ? "expected KEY=VALUE, e.g. --set epochs=2" : c.checker().override(job, s.substring(0, eq).strip(), s.substring(eq + 1));
            if (problem != null) throw DlException.at(at, "--set " + s + ": " + problem);
        }
        out.println("train " + job);
        var loop = new TrainLoop(c, job, options(settings.plot()));
        run(loop, at);
        var values = c.checker().trainValues(job);
        long seed = values.get("seed") instanceof dev.dlc.check.Val.Int i && i.known() ? i.get() : 0;
        var model = new HostModel(c.checker().trainEntrySpan(job, "model").text(), seed);
        keepWeights(model, loop);
        return model;
    }

    // ================================================================== calls

    @Override public Object call(Compiler.Compilation c, String name, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        try {
            return switch (name) {
                case "fit" -> fit(c, args, kwargs, at);
                case "evaluate" -> evaluate(c, args, kwargs, at);
                case "predict" -> predict(c, args, kwargs, at);
                case "save" -> save(c, args, kwargs, at);
                case "load" -> load(c, args, kwargs, at);
                case "kfold" -> kfold(c, args, kwargs, at);
                case "then" -> new HostCall(name, args, kwargs);      // schedules one after another, checked where used
                case "beam_search" -> throw DlException.at(at, "beam_search: not available yet: decoding comes with the sequence-to-sequence models");
                default -> {
                    if (TENSORS.contains(name)) yield HostTensors.make(name, args, kwargs, at);
                    var kind = c.checker().hostKind(name);
                    if (kind == null) yield base.call(c, name, args, kwargs, at);
                    yield switch (kind) {
                        case LAYER -> new HostModel(DlText.call(name, args, kwargs), models++);
                        case DATA_SET -> dataSet(c, name, args, kwargs, at);
                        case FN -> kwargs.isEmpty() && !args.isEmpty() && args.stream().allMatch(Tensor.class::isInstance)
                                ? runFn(c, name, args.stream().map(Tensor.class::cast).toList(), at)
                                : new HostCall(name, args, kwargs);
                        case OPTIMIZER, SCHEDULE -> new HostCall(name, args, kwargs);
                        case TRAIN -> throw DlException.at(at, "'" + name + "' is a train job, not a function: it runs as its block does");
                    };
                }
            };
        } catch (DlText.Unwritable e) {
            throw DlException.at(at, name + ": " + e.getMessage());
        }
    }

    /**
     * {@code fit(model, data, loss = ..., optimizer = ..., epochs = ..., ...)}: trains the model
     * in place, with any key of a train block, and {@code verbose = false} for no progress
     * lines; returns the last epoch's training loss.
     */
    private Object fit(Compiler.Compilation c, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        if (args.size() != 2) throw DlException.at(at, "fit: expected a model and a data set, then keyword arguments (loss = ..., optimizer = ..., epochs = ...), found " + args.size() + " positional arguments");
        HostModel model = model(args.get(0), "fit", at);
        HostData data = data(args.get(1), "fit", at);
        for (String key : List.of("loss", "optimizer"))
            if (!kwargs.containsKey(key)) throw DlException.at(at, "fit: missing " + key + " = ..., e.g. fit(model, data, loss = cross_entropy, optimizer = sgd(lr = 0.1), epochs = 10)");
        var entries = new LinkedHashMap<String, Object>();
        entries.put("model", model);
        entries.put("data", data);
        entries.putAll(kwargs);
        // verbose = false: no line per epoch (a loop over folds prints its own summary)
        Object verbose = entries.remove("verbose");
        if (verbose != null && !(verbose instanceof Boolean)) throw DlException.at(at, "fit: verbose expects true or false, found " + Values.repr(verbose));
        var options = Boolean.FALSE.equals(verbose)
                ? new TrainLoop.Options(new PrintWriter(OutputStream.nullOutputStream()), settings.metricsOut(), null, settings.limitBatches(), false, settings.backend())
                : options(null);
        var job = job(c, entries, "fit", at);
        var loop = new TrainLoop(job, JOB, options).named("fit " + model.expr()).on(opened(job, data, at))
                .startFrom(step -> initialWeights(model, step));
        var epochs = run(loop, at);
        keepWeights(model, loop);
        return epochs.isEmpty() ? dev.dlc.truffle.DlNone.INSTANCE : epochs.getLast().trainLoss();
    }

    /** {@code evaluate(model, data, metric)}: the metric's mean over the data's test split (the validation fold of a fold). */
    private Object evaluate(Compiler.Compilation c, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        if (args.size() != 3 || !kwargs.isEmpty()) throw DlException.at(at, "evaluate: expected a model, a data set and a metric, e.g. evaluate(model, data, accuracy)");
        HostModel model = model(args.get(0), "evaluate", at);
        HostData data = data(args.get(1), "evaluate", at);
        var entries = new LinkedHashMap<String, Object>();
        entries.put("model", model);
        entries.put("data", data);
        entries.put("loss", args.get(2));
        entries.put("optimizer", new HostCall("sgd", List.of(), Map.of("lr", 0.0)));
        var job = job(c, entries, "evaluate", at);
        try {
            return new TrainLoop(job, JOB, options(null)).evaluate(opened(job, data, at), model.weights, model.seed()).testLoss();
        } catch (TrainLoop.Failure e) {
            throw failure(e, at);
        }
    }

    /** {@code predict(model, x)}: the forward in inference mode on a tensor (or a list of tensors, one per input). */
    private Object predict(Compiler.Compilation c, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        if (args.size() != 2 || !kwargs.isEmpty()) throw DlException.at(at, "predict: expected a model and a tensor, e.g. predict(model, x)");
        HostModel model = model(args.get(0), "predict", at);
        List<Tensor> xs = switch (args.get(1)) {
            case Tensor t -> List.of(t);
            case DlList l when l.asList().stream().allMatch(Tensor.class::isInstance) -> l.asList().stream().map(Tensor.class::cast).toList();
            case Object o -> throw DlException.at(at, "predict: expected a tensor (or a list of tensors), found " + Values.typeName(o));
        };
        var types = xs.stream().map(Tensor::type).toList();
        Graph g = model.forwards.get(types.toString());
        if (g == null) {
            var program = compile(c, "layer " + LAYER + "() = " + model.expr(), "predict", at);
            var checker = program.checker();
            var applied = checker.instantiate(LAYER, types, span(c, at));
            if (applied == null || program.diags().hasErrors()) throw reported(program, c, "predict", at);
            g = checker.graph();
            // Initializers are known for the graph the checker built last: this one.
            for (Node n : g.nodes())
                if (n instanceof Node.Param p && !model.weights.containsKey(p.path()))
                    model.weights.put(p.path(), Initializers.initial(checker.initializerOf(p), p.type(), p.path(), model.seed()));
            model.forwards.put(types.toString(), g);
        }
        var inputs = new HashMap<String, Tensor>();
        var names = g.nodes().stream().filter(Node.Input.class::isInstance).map(n -> ((Node.Input) n).name()).toList();
        for (int i = 0; i < xs.size(); i++) inputs.put(names.get(i), xs.get(i));
        try {
            var outs = settings.backend().run(g, inputs, model.weights);
            return outs.size() == 1 ? outs.getFirst() : new DlList(outs.toArray(), true);
        } catch (Interpreter.Error | IllegalArgumentException e) {
            throw DlException.at(at, "predict: " + e.getMessage());
        }
    }

    /** {@code save(model, path)}: the weights as a checkpoint directory (safetensors and manifest), written atomically. */
    private Object save(Compiler.Compilation c, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        if (args.size() != 2 || !kwargs.isEmpty() || !(args.get(1) instanceof String dir))
            throw DlException.at(at, "save: expected a model and a directory, e.g. save(model, \"runs/mlp\")");
        HostModel model = model(args.get(0), "save", at);
        if (model.weights.isEmpty()) predictShapes(c, model, at);
        try {
            // relative to the working directory, as a train block's checkpoint = is
            Checkpoint.save(Path.of(dir), new Checkpoint.State(model.expr(), c.program().root().source().text(), model.seed(), 0, 0, model.weights));
        } catch (CheckpointError e) {
            throw DlException.at(at, "save: " + e.getMessage());
        }
        return dev.dlc.truffle.DlNone.INSTANCE;
    }

    /**
     * {@code load(path)}: the model a checkpoint holds, with its weights. A checkpoint of a train
     * block names the job, whose model entry rebuilds it; one written by {@code save} names the
     * model's expression.
     */
    private Object load(Compiler.Compilation c, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        if (args.size() != 1 || !kwargs.isEmpty() || !(args.getFirst() instanceof String dir))
            throw DlException.at(at, "load: expected a checkpoint directory, e.g. load(\"runs/mlp\")");
        Checkpoint.State state;
        try {
            state = Checkpoint.load(Path.of(dir));
        } catch (CheckpointError e) {
            throw DlException.at(at, "load: " + e.getMessage());
        }
        String expr = c.checker().jobs().containsKey(state.job()) ? c.checker().trainEntrySpan(state.job(), "model").text() : state.job();
        var model = new HostModel(expr, state.seed());
        state.slots().forEach((path, t) -> { if (!path.startsWith("optimizer.")) model.weights.put(path, t); });
        return model;
    }

    /** {@code kfold(data, k)}: k folds of the training split, each validating on one block and training on the rest. */
    private Object kfold(Compiler.Compilation c, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        if (args.size() != 2 || !kwargs.isEmpty() || !(args.get(1) instanceof Long k))
            throw DlException.at(at, "kfold: expected a data set and a number of folds, e.g. kfold(data, 5)");
        HostData data = data(args.getFirst(), "kfold", at);
        try {
            var splits = KFold.splits(opened(c, data, at).train(), Math.toIntExact(Math.min(k, Integer.MAX_VALUE)));
            var folds = new Object[splits.size()];
            for (int i = 0; i < folds.length; i++)
                folds[i] = new HostData(data.expr(), data.checked(), splits.get(i), "fold " + (i + 1) + " of " + k + " of " + data.expr());
            return new DlList(folds, false);
        } catch (DataError e) {
            throw DlException.at(at, e.getMessage());
        }
    }

    // ================================================================== values

    private HostModel model(Object v, String builtin, SourceSection at) {
        return switch (v) {
            case HostModel m -> m;
            case DlGlobal g -> throw DlException.at(at, builtin + ": '" + g.name() + "' is not a model; build one by calling a layer, e.g. " + g.name() + "()");
            case Object o -> throw DlException.at(at, builtin + ": expected a model (a layer called with its config, e.g. MLP()), found " + Values.typeName(o));
        };
    }

    private static HostData data(Object v, String builtin, SourceSection at) {
        if (v instanceof HostData d) return d;
        throw DlException.at(at, builtin + ": expected a data set (e.g. fashion_mnist(batch = 256)), found " + Values.typeName(v));
    }

    private HostData dataSet(Compiler.Compilation c, String name, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        int before = c.diags().errorCount();
        var checked = c.checker().dataSet(name, args, kwargs, span(c, at));
        if (checked == null || c.diags().errorCount() > before) throw newestError(c, name + ": invalid options", at);
        return new HostData(DlText.call(name, args, kwargs), checked, null, null);
    }

    /** The checker's latest error (what host code's call just made it report), at the call. */
    private static DlException newestError(Compiler.Compilation c, String otherwise, SourceSection at) {
        var errors = c.diags().list().stream().filter(Diagnostic::isError).toList();
        return DlException.at(at, errors.isEmpty() ? otherwise : errors.getLast().message());
    }

    /** The examples of a data set, opened once per expression (Fashion-MNIST takes a while to read). */
    private Split opened(Compiler.Compilation c, HostData d, SourceSection at) {
        if (d.split != null) return d.split;
        var split = opened.get(d.expr());
        if (split == null) {
            try {
                split = TrainLoop.openData(c, d.checked());
            } catch (DataError e) {
                throw DlException.at(at, e.getMessage());
            }
            opened.put(d.expr(), split);
        }
        return d.split = split;
    }

    /** A fn of the program applied to tensors: compiled for their types on first use, then cached. */
    private Tensor runFn(Compiler.Compilation c, String name, List<Tensor> args, SourceSection at) {
        var types = args.stream().map(Tensor::type).toList();
        String key = name + types;
        Graph g = fns.get(key);
        if (g == null) {
            int before = c.diags().errorCount();
            var applied = c.checker().instantiate(name, types, span(c, at));
            if (applied == null || c.diags().errorCount() > before) throw newestError(c, name + ": cannot be applied to " + types, at);
            g = c.checker().graph();
            if (g.outputs().size() != 1) throw DlException.at(at, name + ": host code takes one tensor result, the fn gives " + g.outputs().size());
            fns.put(key, g);
        }
        var inputs = new HashMap<String, Tensor>();
        var names = g.nodes().stream().filter(Node.Input.class::isInstance).map(n -> ((Node.Input) n).name()).toList();
        for (int i = 0; i < args.size() && i < names.size(); i++) inputs.put(names.get(i), args.get(i));
        try {
            return settings.backend().run(g, inputs, Map.of()).getFirst();
        } catch (Interpreter.Error | IllegalArgumentException e) {
            throw DlException.at(at, name + ": " + e.getMessage());
        }
    }

    // ================================================================== the jobs host code stands for

    /** The program with a train block made of {@code entries}, checked; its errors are reported at the call. */
    private Compiler.Compilation job(Compiler.Compilation c, Map<String, Object> entries, String builtin, SourceSection at) {
        var b = new StringBuilder("train " + JOB + " {\n");
        entries.forEach((k, v) -> b.append("    ").append(k).append(" = ").append(DlText.of(v)).append('\n'));
        var job = compile(c, b.append("}").toString(), builtin, at);
        if (!job.checker().jobs().containsKey(JOB)) throw reported(job, c, builtin, at);
        return job;
    }

    private Compiler.Compilation compile(Compiler.Compilation c, String declaration, String builtin, SourceSection at) {
        var root = c.program().root().source();
        String text = root.text() + "\n\n# written by host code\n" + declaration + "\n";
        var program = compiled.computeIfAbsent(text, t -> Compiler.checkString(root.path(), t));
        if (program.diags().hasErrors()) throw reported(program, c, builtin, at);
        return program;
    }

    /**
     * The first error of a program host code wrote, at the call that wrote it: what the checker
     * says of the written entries is what is wrong with the call's arguments.
     */
    private static DlException reported(Compiler.Compilation program, Compiler.Compilation c, String builtin, SourceSection at) {
        var first = program.diags().sorted().stream().filter(Diagnostic::isError).findFirst();
        if (first.isEmpty()) return DlException.at(at, builtin + ": the arguments do not make a model that can run");
        var d = first.get();
        var notes = new StringBuilder();
        for (var n : d.notes()) if (n.message() != null) notes.append("; ").append(n.message());
        return DlException.at(at, builtin + ": " + d.message() + notes);
    }

    // ================================================================== weights

    /** The slots of a step a model's weights fill: those it has, and fresh ones from their initializers (kept). */
    private static Map<String, Tensor> initialWeights(HostModel model, TrainStep step) {
        for (var slot : step.slots()) {
            if (slot.kind() == TrainStep.Kind.OPTIMIZER_STATE || model.weights.containsKey(slot.path())) continue;
            model.weights.put(slot.path(), Initializers.initial(slot.init(), slot.node().type(), slot.path(), model.seed()));
        }
        var out = new LinkedHashMap<String, Tensor>();
        for (var slot : step.slots())
            if (model.weights.containsKey(slot.path()) && model.weights.get(slot.path()).type().equals(slot.node().type()))
                out.put(slot.path(), model.weights.get(slot.path()));
        return out;
    }

    private static void keepWeights(HostModel model, TrainLoop loop) {
        var trainer = loop.trainer();
        if (trainer == null) return;
        for (var slot : trainer.program().slots())
            if (slot.kind() != TrainStep.Kind.OPTIMIZER_STATE) model.weights.put(slot.path(), trainer.value(slot.path()));
    }

    /** A model never run has no weights yet; save writes them after building it on its declared input, if it has one. */
    private void predictShapes(Compiler.Compilation c, HostModel model, SourceSection at) {
        var program = compile(c, "layer " + LAYER + "() = " + model.expr(), "save", at);
        var inputs = program.checker().sampleInputs(LAYER, 4);
        if (inputs == null) throw DlException.at(at, "save: " + model.expr() + " has no weights yet (its shapes are known once it is fitted or predicts)");
        predict(c, List.of(model, inputs.size() == 1 ? zeros(inputs.getFirst()) : new DlList(inputs.stream().map(HostTraining::zeros).toArray(), true)), Map.of(), at);
    }

    private static Tensor zeros(dev.dlc.types.Type.Tensor t) {
        int[] shape = t.shape().dims().stream().mapToInt(d -> Math.toIntExact(d.value())).toArray();
        return Tensor.filled(t.dtype(), shape, 0);
    }

    // ================================================================== running

    private TrainLoop.Options options(Path plot) {
        return new TrainLoop.Options(out, settings.metricsOut(), plot, settings.limitBatches(), settings.progress(), settings.backend());
    }

    private static List<TrainLoop.Epoch> run(TrainLoop loop, SourceSection at) {
        try {
            return loop.run();
        } catch (TrainLoop.Failure e) {
            throw failure(e, at);
        }
    }

    /** A failure of the training loop: already a diagnostic when it names a place in the program, else reported at the call. */
    private static DlException failure(TrainLoop.Failure e, SourceSection at) {
        return e.getMessage().contains(": error: ") ? DlException.rendered(e.getMessage() + "\n", at) : DlException.at(at, e.getMessage());
    }


    /** The call's place as a span of the program's source, for the checker's diagnostics. */
    private static Span span(Compiler.Compilation c, SourceSection at) {
        var src = c.program().root().source();
        if (at == null || !at.isAvailable() || at.getCharEndIndex() > src.text().length()) return src.span(0, 0);
        return src.span(at.getCharIndex(), at.getCharEndIndex());
    }
}
