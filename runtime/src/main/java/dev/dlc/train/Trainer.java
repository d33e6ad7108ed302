package dev.dlc.train;

import dev.dlc.check.TrainStep;
import dev.dlc.ir.Interpreter;
import dev.dlc.ops.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Runs a job's training step batch after batch and keeps its slots (parameters, buffers,
 * optimizer states) between steps. The reference interpreter's ({@link InterpretedTrainer})
 * is the oracle; a compiled backend's must agree with it.
 */
public interface Trainer {
    /** The loss and the metrics of one step, on the batch before the update. */
    record StepResult(long step, double loss, List<Double> metrics) {}

    /** A step whose loss is not a number: training cannot go on from here. */
    final class Diverged extends RuntimeException {
        /** The step (1-based), and where the first NaN or infinity of that step was computed (null if not found). */
        public final long step;
        public final transient Interpreter.Origin origin;

        public Diverged(String message, long step, Interpreter.Origin origin) {
            super(message);
            this.step = step;
            this.origin = origin;
        }
    }

    /**
     * Whether a diverged step is rerun to find the op that made the first NaN or infinity (the
     * default); off, {@link Diverged#origin} is null. {@code dlc bench} turns it off: a
     * compiled backend reruns through the interpreter, minutes for a GoogLeNet step.
     */
    default void explainDivergence(boolean on) {}

    /** The step program for the usual batch size. */
    TrainStep program();

    /** The current value of a slot ({@code fc.w}, {@code optimizer.fc.w.m}). */
    Tensor value(String path);

    /** Replaces a slot's value (a loaded checkpoint, a model trained before); the type must match. */
    void set(String path, Tensor v);

    /** One step on a batch: the model's inputs, then the labels, typed as the step's data inputs. */
    StepResult step(List<Tensor> batch);

    /**
     * One step on the examples {@code indices} of {@code data}. A compiled backend overrides
     * this to copy the examples straight into its input buffers ({@link dev.dlc.data.DataSet#batchInto}).
     */
    default StepResult step(dev.dlc.data.DataSet data, int[] indices) { return step(data.batch(indices)); }

    /**
     * {@link #step(dev.dlc.data.DataSet, int[])}, told the batch that comes next ({@code next},
     * null at the end of an epoch) so that a backend may gather it while this step computes.
     */
    default StepResult step(dev.dlc.data.DataSet data, int[] indices, int[] next) { return step(data, indices); }

    /**
     * Gets the step for a batch of {@code n} ready before the first such batch comes (a compiled
     * backend compiles it now, so that the epoch's short last batch does not wait for a compiler).
     */
    default void prepare(long n) {}

    /** The step count so far. */
    long steps();

    /** Continues the step count (a resumed run). */
    void steps(long count);

    /** Every slot's current value, by path, in the step's slot order. */
    Map<String, Tensor> slots();
}
