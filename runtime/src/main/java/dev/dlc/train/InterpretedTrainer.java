package dev.dlc.train;

import dev.dlc.check.Checker;
import dev.dlc.check.TrainStep;
import dev.dlc.ir.Interpreter;
import dev.dlc.ops.Tensor;
import dev.dlc.ops.kernels.CounterRng;
import dev.dlc.types.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Trains with the reference interpreter: runs a job's {@link TrainStep} program once per batch
 * and keeps its slots (parameters, buffers, optimizer states) between steps. Slow, and exact:
 * it is the oracle the compiled backends are tested against.
 */
public final class InterpretedTrainer implements Trainer {
    private final Checker checker;
    private final TrainStep step;                                  // the program for the usual batch size
    private final LongFunction<TrainStep> programFor;              // the step for another batch size (a partial last batch)
    private final Map<Long, TrainStep> programs = new HashMap<>();
    private final Interpreter.Precision precision;
    private final Map<String, Tensor> slots = new LinkedHashMap<>();
    private long t;

    /** Starts from the slots' initializers with the job's seed ({@code seed = ...}, default 0). */
    public InterpretedTrainer(Checker checker, TrainStep step, Interpreter.Precision precision) {
        this(checker, step, _ -> null, precision);
    }

    /**
     * As above; {@code programFor} gives the step for a batch of another size (lowered on
     * demand, cached), with the same slots.
     */
    public InterpretedTrainer(Checker checker, TrainStep step, LongFunction<TrainStep> programFor, Interpreter.Precision precision) {
        this.checker = checker;
        this.step = step;
        this.programFor = programFor;
        this.precision = precision;
        programs.put(batchOf(step), step);
        for (var s : step.slots())
            slots.put(s.path(), Initializers.initial(s.init(), s.node().type(), s.path(), step.seed()));
    }

    @Override public TrainStep program() { return step; }

    /** The current value of a slot ({@code fc.w}, {@code optimizer.fc.w.m}). */
    @Override public Tensor value(String path) {
        var v = slots.get(path);
        if (v == null) throw new IllegalArgumentException("no slot " + path + "; slots: " + slots.keySet());
        return v;
    }

    /** Replaces a slot's value (a loaded checkpoint, a test's chosen start). */
    @Override public void set(String path, Tensor v) {
        var old = value(path);
        if (!old.type().equals(v.type())) throw new IllegalArgumentException(path + ": expected " + old.type() + ", found " + v.type());
        slots.put(path, v);
    }

    /** One step on a batch: the model's inputs, then the labels, typed as the step's data inputs. */
    @Override public StepResult step(List<Tensor> batch) {
        long n = batch.isEmpty() ? 0 : batch.getFirst().dim(0);
        TrainStep step = programs.computeIfAbsent(n, programFor::apply);
        if (step == null) throw new IllegalArgumentException("no step program for a batch of " + n);
        if (batch.size() != step.data().size())
            throw new IllegalArgumentException("the step takes " + step.data().size() + " tensors (inputs, then labels), found " + batch.size());
        t++;
        var inputs = new HashMap<String, Tensor>();
        for (int i = 0; i < batch.size(); i++) inputs.put(step.data().get(i).name(), batch.get(i));
        inputs.put(step.step().name(), Tensor.scalar(DType.F32, t));
        for (var s : step.scheduled()) inputs.put(s.input().name(), Tensor.scalar(DType.F32, checker.scheduleAt(s.schedule(), t)));
        // Each step draws fresh dropout masks: the seed of step t mixes the job's seed with t.
        var options = new Interpreter.Options(precision, true, CounterRng.mix(step.seed() * 31 + t));
        List<Tensor> out = Interpreter.run(step.graph(), inputs, slots, options);
        double loss = out.getFirst().at(0);
        if (!Double.isFinite(loss)) {
            // Run the step again, watching for the first value that is not finite: that op is the cause.
            var origin = Interpreter.firstNonFinite(step.graph(), inputs, slots, options);
            throw new Diverged("the loss is " + loss + " at step " + t, t, origin);
        }
        var metrics = new ArrayList<Double>();
        int m = step.metrics().size();
        for (int i = 0; i < m; i++) metrics.add(out.get(1 + i).at(0));
        var slotList = step.slots();
        for (int i = 0; i < slotList.size(); i++) slots.put(slotList.get(i).path(), out.get(1 + m + i));
        return new StepResult(t, loss, metrics);
    }

    /** The step count so far. */
    @Override public long steps() { return t; }

    /** Continues the step count (a resumed run). */
    @Override public void steps(long count) { t = count; }

    /** Every slot's current value, by path (read-only). */
    @Override public Map<String, Tensor> slots() { return java.util.Collections.unmodifiableMap(slots); }

    private static long batchOf(TrainStep s) { return s.data().getFirst().type().dim(0).value(); }
}
