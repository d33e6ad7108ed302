package dev.dlc.train;

import dev.dlc.Compiler;
import dev.dlc.check.EvalStep;
import dev.dlc.check.TrainStep;
import dev.dlc.check.Val;
import dev.dlc.data.Batches;
import dev.dlc.data.DataError;
import dev.dlc.data.DataSet;
import dev.dlc.data.DataSets;
import dev.dlc.data.Split;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.Pipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one `train` job: opens its data, lowers its step (and its evaluation program) for the
 * batch sizes it meets, and trains epoch by epoch: a seeded shuffle, minibatches with a
 * partial last one, the training loss and metrics, then the test split evaluated. Progress
 * goes to {@code out}; a JSON line per epoch to {@code metricsOut} when given. With
 * {@code checkpoint = "DIR"} the state is saved after every epoch and a run resumes from it:
 * shuffles depend on (seed, epoch) and dropout on (seed, step), so a resumed run continues
 * exactly as an uninterrupted one would.
 */
public final class TrainLoop {

    /**
     * @param limitBatches at most this many batches per epoch (smoke runs), 0 for all
     * @param terminal     whether {@code out} is a terminal: a live progress bar, else plain lines
     */
    public record Options(PrintWriter out, Path metricsOut, Path plot, long limitBatches, boolean terminal, dev.dlc.exec.Backend backend) {}

    /** One epoch: the training loss and metrics (means over the examples), the test ones, throughput. */
    public record Epoch(int epoch, double trainLoss, Map<String, Double> trainMetrics, Double testLoss,
                        Map<String, Double> testMetrics, double samplesPerSecond, double seconds) {}

    /** A run that cannot go on: a user-facing message (data missing, the loss diverged). */
    public static final class Failure extends Exception {
        public Failure(String message) { super(message); }
    }

    private final Compiler.Compilation c;
    private final String job;
    private final Options o;
    private final Map<Long, EvalStep> evals = new HashMap<>();
    private Trainer trainer;
    private String label;
    private Split given;
    private java.util.function.Function<TrainStep, Map<String, Tensor>> start = _ -> Map.of();

    public TrainLoop(Compiler.Compilation c, String job, Options o) {
        this.c = c;
        this.job = job;
        this.o = o;
        this.label = job;
    }

    /** Shows {@code name} instead of the job's name in progress, JSON lines and plots (a job host code made up). */
    public TrainLoop named(String name) {
        this.label = name;
        return this;
    }

    /** Trains and evaluates on {@code split} instead of opening the job's data set (a fold of kfold). */
    public TrainLoop on(Split split) {
        this.given = split;
        return this;
    }

    /**
     * Starts from the slot values {@code values} gives for the step (a model trained before,
     * from host code); slots it leaves out start from their initializers.
     */
    public TrainLoop startFrom(java.util.function.Function<TrainStep, Map<String, Tensor>> values) {
        this.start = values;
        return this;
    }

    /** The trainer after {@link #run}, with the trained slots. */
    public Trainer trainer() { return trainer; }

    public List<Epoch> run() throws Failure {
        var values = c.checker().trainValues(job);
        var data = (Val.Data) values.get("data");
        Split split = given != null ? given : open(data);
        int batch = Math.toIntExact(option(data, "batch", 1));
        int epochs = values.get("epochs") instanceof Val.Int i && i.known() ? (int) i.get() : 1;
        long seed = values.get("seed") instanceof Val.Int i && i.known() ? i.get() : 0;

        TrainStep step = lower(batch);
        trainer = o.backend().trainer(c.checker(), step, n -> lowerOrNull(n));
        int rest = split.train().size() % batch;
        if (rest != 0 && o.limitBatches() == 0) trainer.prepare(rest);
        start.apply(step).forEach(trainer::set);
        var metricNames = step.metrics().stream().map(TrainStep.Metric::name).toList();
        var epochsDone = new ArrayList<Epoch>();
        Path checkpoint = values.get("checkpoint") instanceof Val.Str dir ? Path.of(dir.value()) : null;
        int first = checkpoint == null ? 1 : resume(checkpoint, step, seed) + 1;
        for (int epoch = first; epoch <= epochs; epoch++) {
            var batches = Batches.split(Batches.order(split.train().size(), !split.train().ordered(), seed, epoch), batch, false);
            if (o.limitBatches() > 0 && batches.size() > o.limitBatches()) batches = batches.subList(0, (int) o.limitBatches());
            long start = System.nanoTime();
            double lossSum = 0;
            double[] metricSums = new double[metricNames.size()];
            long seen = 0;
            for (int b = 0; b < batches.size(); b++) {
                int[] idx = batches.get(b);
                Trainer.StepResult r;
                try {
                    r = trainer.step(split.train(), idx, b + 1 < batches.size() ? batches.get(b + 1) : null);
                } catch (Trainer.Diverged e) {
                    throw diverged(e, epoch, b + 1);
                }
                lossSum += r.loss() * idx.length;
                for (int m = 0; m < metricSums.length; m++) metricSums[m] += r.metrics().get(m) * idx.length;
                seen += idx.length;
                if (o.terminal()) progress(epoch, epochs, b + 1, batches.size(), lossSum / seen, seen, start);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            var trainMetrics = new LinkedHashMap<String, Double>();
            for (int m = 0; m < metricSums.length; m++) trainMetrics.put(metricNames.get(m), metricSums[m] / seen);
            Epoch e = split.test() == null
                    ? new Epoch(epoch, lossSum / seen, trainMetrics, null, Map.of(), seen / seconds, seconds)
                    : evaluate(split.test(), batch, trainer.slots(), epoch, lossSum / seen, trainMetrics, seen / seconds, seconds);
            epochsDone.add(e);
            report(e, epochs);
            writeJson(e);
            if (checkpoint != null) save(checkpoint, seed, epoch);
        }
        summary(epochsDone);
        plot(epochsDone);
        return epochsDone;
    }

    // ================================================================== checkpoints

    /** Loads the checkpoint in {@code dir} when there is one; returns the epochs it completed (0 without one). */
    private int resume(Path dir, TrainStep step, long seed) throws Failure {
        if (!Checkpoint.exists(dir)) return 0;
        try {
            var saved = Checkpoint.load(dir);
            var expected = new LinkedHashMap<String, dev.dlc.types.Type.Tensor>();
            for (var slot : step.slots()) expected.put(slot.path(), slot.node().type());
            Checkpoint.check(dir, saved, expected);
            if (!saved.job().equals(job)) throw failure("checkpoint", "checkpoint " + dir + " was saved by train job '" + saved.job() + "', not '" + job + "'");
            if (saved.seed() != seed)
                o.out().println("note: checkpoint " + dir + " was saved with seed " + saved.seed() + "; continuing with seed " + seed);
            saved.slots().forEach(trainer::set);
            trainer.steps(saved.step());
            o.out().println("resuming from " + dir + " after epoch " + saved.epoch() + " (step " + saved.step() + ")");
            return saved.epoch();
        } catch (CheckpointError e) {
            throw failure("checkpoint", e.getMessage());
        }
    }

    /** Saves the state after {@code epoch}; an old checkpoint survives a failed save. */
    private void save(Path dir, long seed, int epoch) throws Failure {
        try {
            Checkpoint.save(dir, new Checkpoint.State(job, c.program().root().source().text(), seed, epoch, trainer.steps(), trainer.slots()));
        } catch (CheckpointError e) {
            throw failure("checkpoint", e.getMessage());
        }
    }

    private void plot(List<Epoch> epochs) throws Failure {
        if (o.plot() == null || epochs.isEmpty()) return;
        try {
            Plot.learningCurves(o.plot(), "train " + label, epochs.stream().map(Plot.EpochPoint::of).toList());
            o.out().println("learning curves: " + o.plot());
        } catch (java.io.IOException e) {
            throw new Failure("cannot write " + o.plot() + ": " + e.getMessage());
        }
    }

    // ================================================================== programs

    private TrainStep lower(long batch) throws Failure {
        var step = lowerOrNull(batch);
        if (step == null) throw new Failure(c.diags().render().strip());
        return step;
    }

    /** The step for a batch size, after the optimization pipeline. */
    private TrainStep lowerOrNull(long batch) {
        var step = c.checker().lowerStep(job, batch);
        return step == null ? null : step.withGraph(Pipeline.checked().run(step.graph()));
    }

    /**
     * The job's loss and metrics, in inference mode, over {@code split}'s test part (its
     * training part when it has none) with these weights; weights the model has but
     * {@code weights} lacks start from their initializers with {@code seed} (and are added).
     */
    public Epoch evaluate(Split split, Map<String, Tensor> weights, long seed) throws Failure {
        var values = c.checker().trainValues(job);
        int batch = Math.toIntExact(option((Val.Data) values.get("data"), "batch", 1));
        DataSet part = split.test() != null ? split.test() : split.train();
        var eval = evals.computeIfAbsent((long) Math.min(batch, part.size()), n -> c.checker().lowerEval(job, n));
        if (eval == null) throw new Failure(c.diags().render().strip());
        // The checker's record of initializers belongs to the graph it built last: this one.
        for (var n : eval.graph().nodes())
            if (n instanceof dev.dlc.ir.Node.Param p && !weights.containsKey(p.path()))
                weights.put(p.path(), Initializers.initial(c.checker().initializerOf(p), p.type(), p.path(), seed));
        return evaluate(part, batch, weights, 0, Double.NaN, Map.of(), 0, 0);
    }

    /** Mean loss and metrics over the test split, in inference mode, with the given slots. */
    private Epoch evaluate(DataSet test, int batch, Map<String, Tensor> slots, int epoch, double trainLoss, Map<String, Double> trainMetrics,
                           double samplesPerSecond, double seconds) throws Failure {
        double lossSum = 0;
        double[] sums = null;
        long seen = 0;
        List<String> names = List.of();
        var batches = Batches.split(Batches.order(test.size(), false, 0, 0), batch, false);
        if (o.limitBatches() > 0 && batches.size() > o.limitBatches()) batches = batches.subList(0, (int) o.limitBatches());
        for (int[] idx : batches) {
            EvalStep eval = evals.computeIfAbsent((long) idx.length, n -> c.checker().lowerEval(job, n));
            if (eval == null) throw new Failure(c.diags().render().strip());
            names = eval.metrics();
            var parts = test.batch(idx);
            var inputs = new HashMap<String, Tensor>();
            for (int i = 0; i < parts.size(); i++) inputs.put(eval.data().get(i).name(), parts.get(i));
            var outs = o.backend().run(eval.graph(), inputs, slots);
            if (sums == null) sums = new double[names.size()];
            lossSum += outs.getFirst().at(0) * idx.length;
            for (int m = 0; m < sums.length; m++) sums[m] += outs.get(1 + m).at(0) * idx.length;
            seen += idx.length;
        }
        var metrics = new LinkedHashMap<String, Double>();
        for (int m = 0; m < names.size(); m++) metrics.put(names.get(m), sums[m] / seen);
        return new Epoch(epoch, trainLoss, trainMetrics, seen == 0 ? null : lossSum / seen, metrics, samplesPerSecond, seconds);
    }

    // ================================================================== data

    private Split open(Val.Data data) throws Failure {
        try {
            return openData(c, data);
        } catch (DataError e) {
            throw failure("data", e.getMessage());
        }
    }

    /** Opens a checked data set; relative paths are neighbours of the program's file. */
    public static Split openData(Compiler.Compilation c, Val.Data data) throws DataError {
        var options = new LinkedHashMap<String, Object>();
        data.options().forEach((k, v) -> {
            Object x = switch (v) {
                case Val.Int i when i.known() -> i.get();
                case Val.Real r -> r.value();
                case Val.Str s -> s.value();
                case Val.Bool b -> b.value();
                default -> null;
            };
            // Relative paths are the .dl file's neighbours.
            if (k.equals("path") && x instanceof String p && !Path.of(p).isAbsolute() && fileDir(c) != null) x = fileDir(c).resolve(p).toString();
            if (x != null) options.put(k, x);
        });
        return DataSets.open(data.kind(), options);
    }

    /**
     * A loss that became NaN or infinite: reported at the op that first computed a non-finite
     * value (at the train block's loss when that op is in the stdlib, with a note into it).
     */
    private Failure diverged(Trainer.Diverged e, int epoch, int batch) {
        String message = e.getMessage() + " (epoch " + epoch + ", batch " + batch + ")";
        var lossAt = c.checker().trainEntrySpan(job, "loss");
        if (e.origin == null || e.origin.span() == null) return failure("loss", message + "; lower the learning rate or clip gradients (clip = 1.0)");
        var op = e.origin.node() instanceof dev.dlc.ir.Node.Apply a ? "'" + a.op() + "'" : "this value";
        var where = e.origin.span();
        var notes = new ArrayList<dev.dlc.diag.Diagnostic.Note>();
        if (!where.source().equals(lossAt.source())) {
            notes.add(new dev.dlc.diag.Diagnostic.Note(where, "the first NaN or infinity is computed here"));
            where = lossAt;
        }
        notes.add(new dev.dlc.diag.Diagnostic.Note(null, "lower the learning rate, clip gradients (clip = 1.0), or use a stable form (bce_with_logits, cross_entropy)"));
        return new Failure(new dev.dlc.diag.Diagnostic(where, dev.dlc.diag.Diagnostic.Severity.ERROR,
                message + "; the first NaN or infinity comes from " + op, notes).render().stripTrailing());
    }

    /** A failure reported at the train block's entry {@code key}, as a diagnostic. */
    private Failure failure(String key, String message) {
        var at = c.checker().trainEntrySpan(job, key);
        if (at == null) return new Failure("train " + job + ": " + message);
        return new Failure(new dev.dlc.diag.Diagnostic(at, dev.dlc.diag.Diagnostic.Severity.ERROR, message, List.of()).render().stripTrailing());
    }

    private static Path fileDir(Compiler.Compilation c) {
        var p = Path.of(c.program().root().source().path()).toAbsolutePath().getParent();
        return p;
    }

    private static long option(Val.Data d, String key, long dflt) {
        return d.options().get(key) instanceof Val.Int i && i.known() ? i.get() : dflt;
    }

    // ================================================================== output

    private void progress(int epoch, int epochs, int done, int total, double loss, long seen, long start) {
        double secs = (System.nanoTime() - start) / 1e9, rate = seen / Math.max(secs, 1e-9);
        double eta = secs / done * (total - done);
        int width = 24, filled = (int) ((long) width * done / total);
        o.out().print(String.format(Locale.ROOT, "\repoch %d/%d [%s%s] %d/%d  loss %.4f  %.0f samples/s  ETA %s   ",
                epoch, epochs, "=".repeat(filled), " ".repeat(width - filled), done, total, loss, rate, duration(eta)));
        o.out().flush();
    }

    private void report(Epoch e, int epochs) {
        var b = new StringBuilder(String.format(Locale.ROOT, "%sepoch %d/%d  train loss %.4f", o.terminal() ? "\r" : "", e.epoch(), epochs, e.trainLoss()));
        e.trainMetrics().forEach((k, v) -> b.append(String.format(Locale.ROOT, "  train %s %.4f", k, v)));
        if (e.testLoss() != null) b.append(String.format(Locale.ROOT, "  test loss %.4f", e.testLoss()));
        e.testMetrics().forEach((k, v) -> b.append(String.format(Locale.ROOT, "  test %s %.4f", k, v)));
        b.append(String.format(Locale.ROOT, "  %.0f samples/s  %s", e.samplesPerSecond(), duration(e.seconds())));
        o.out().println(b);
        o.out().flush();
    }

    private void summary(List<Epoch> epochs) {
        if (epochs.isEmpty()) return;
        var last = epochs.getLast();
        double total = epochs.stream().mapToDouble(Epoch::seconds).sum();
        var b = new StringBuilder(String.format(Locale.ROOT, "train %s: %d epoch%s in %s, train loss %.4f", label, epochs.size(),
                epochs.size() == 1 ? "" : "s", duration(total), last.trainLoss()));
        last.testMetrics().forEach((k, v) -> b.append(String.format(Locale.ROOT, ", test %s %.4f", k, v)));
        b.append(String.format(Locale.ROOT, ", weight norm %.4g", weightNorm()));
        o.out().println(b);
        o.out().flush();
    }

    /** The L2 norm of all trainable parameters together (what weight decay shrinks). */
    private double weightNorm() {
        double sq = 0;
        for (var slot : trainer.program().slots()) {
            if (slot.kind() != TrainStep.Kind.PARAMETER) continue;
            Tensor p = trainer.value(slot.path());
            for (int i = 0; i < p.numel(); i++) sq += p.at(i) * p.at(i);
        }
        return Math.sqrt(sq);
    }

    /** One JSON object per epoch, appended (train, epoch, train_loss, samples_per_s, seconds, test_*). */
    private void writeJson(Epoch e) throws Failure {
        if (o.metricsOut() == null) return;
        var b = new StringBuilder("{\"train\": \"" + label.replace("\"", "\\\"") + "\", \"epoch\": " + e.epoch());
        b.append(", \"train_loss\": ").append(json(e.trainLoss()));
        e.trainMetrics().forEach((k, v) -> b.append(", \"train_").append(k).append("\": ").append(json(v)));
        if (e.testLoss() != null) b.append(", \"test_loss\": ").append(json(e.testLoss()));
        e.testMetrics().forEach((k, v) -> b.append(", \"test_").append(k).append("\": ").append(json(v)));
        b.append(", \"samples_per_s\": ").append(json(e.samplesPerSecond()));
        b.append(", \"seconds\": ").append(json(e.seconds())).append("}\n");
        try {
            Files.writeString(o.metricsOut(), b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new Failure("cannot write " + o.metricsOut() + ": " + ex.getMessage());
        }
    }

    private static String json(double v) { return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null"; }

    private static String duration(double s) {
        return s < 60 ? String.format(Locale.ROOT, "%.1fs", s) : String.format(Locale.ROOT, "%dm%02ds", (long) s / 60, (long) s % 60);
    }
}
