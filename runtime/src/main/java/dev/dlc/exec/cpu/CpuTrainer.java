package dev.dlc.exec.cpu;

import dev.dlc.check.Checker;
import dev.dlc.check.TrainStep;
import dev.dlc.data.DataSet;
import dev.dlc.ir.Interpreter;
import dev.dlc.ops.Tensor;
import dev.dlc.ops.kernels.CounterRng;
import dev.dlc.train.Initializers;
import dev.dlc.train.Trainer;
import dev.dlc.types.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongFunction;

/**
 * Trains with compiled programs, as {@link dev.dlc.train.InterpretedTrainer} does with the
 * interpreter: the same step counter t, the same {@code t} and {@code hyper.*} inputs, the same
 * dropout seed per step ({@code mix(seed * 31 + t)}), so both draw the same masks. The slots live
 * in the current program's storage between steps: a step converts only the batch and three
 * scalars in, the loss and metrics out, and makes each slot's next value its value inside the
 * frame (their arrays trade places, or the next value is copied). A batch of another size (a
 * partial last batch) gets its own program; the slots move to it when it is used, and back.
 */
final class CpuTrainer implements Trainer {
    private final Checker checker;
    private final TrainStep step;
    private final LongFunction<TrainStep> programFor;
    private final Map<Long, Compiled> programs = new HashMap<>();
    private final Map<String, TrainStep.Slot> slotsByPath = new LinkedHashMap<>();
    /** Slots the step does not read (a buffer it only assigns): kept here as tensors. */
    private final Map<String, Tensor> unread = new HashMap<>();
    /** The program that holds the slots' current values. */
    private Compiled current;
    private long t;
    private boolean explain = true;
    /**
     * {@code -Ddlc.trace.steps=true}: each step's time, its feeding time and its three slowest
     * kernels on stderr (how the first epoch's warm-up was taken apart).
     */
    private static final boolean TRACE = Boolean.getBoolean("dlc.trace.steps");

    private record Compiled(TrainStep step, CpuProgram program) {}

    CpuTrainer(Checker checker, TrainStep step, LongFunction<TrainStep> programFor) {
        this.checker = checker;
        this.step = step;
        this.programFor = programFor;
        current = compile(step);
        programs.put(batchOf(step), current);
        for (var s : step.slots()) {
            slotsByPath.put(s.path(), s);
            var v = Initializers.initial(s.init(), s.node().type(), s.path(), step.seed());
            if (current.program().params().contains(s.path())) current.program().param(s.path(), v);
            else unread.put(s.path(), v);
        }
    }

    private static Compiled compile(TrainStep s) {
        // The step comes optimized (TrainLoop, dlc bench): compiling that very graph keeps every
        // node's position, which names the random stream of a dropout or a scan without a site.
        // Each slot's next value gets an array of its own, outside the arena, which trades
        // places with the slot's after the step (see CpuProgram.outputToParam) instead of
        // being copied into it.
        var outs = s.graph().outputs();
        var nexts = outs.subList(1 + s.metrics().size(), outs.size());
        return new Compiled(s, CpuProgram.compile(s.graph(), true, CpuProgram.identitySet(nexts)));
    }

    @Override public TrainStep program() { return step; }

    /** The program of the last step's batch size: the one holding the slots. */
    CpuProgram lastProgram() { return current.program(); }

    @Override public Tensor value(String path) {
        var s = slotsByPath.get(path);
        if (s == null) throw new IllegalArgumentException("no slot " + path + "; slots: " + slotsByPath.keySet());
        if (!current.program().params().contains(path)) return unread.get(path);
        return current.program().param(path, s.node().type());
    }

    @Override public void set(String path, Tensor v) {
        var s = slotsByPath.get(path);
        if (s == null) throw new IllegalArgumentException("no slot " + path + "; slots: " + slotsByPath.keySet());
        if (!s.node().type().equals(v.type())) throw new IllegalArgumentException(path + ": expected " + s.node().type() + ", found " + v.type());
        if (current.program().params().contains(path)) current.program().param(path, v);
        else unread.put(path, v);
    }

    @Override public StepResult step(List<Tensor> batch) {
        long n = batch.isEmpty() ? 0 : batch.getFirst().dim(0);
        Compiled c = programFor(n);
        if (batch.size() != c.step().data().size())
            throw new IllegalArgumentException("the step takes " + c.step().data().size() + " tensors (inputs, then labels), found " + batch.size());
        for (int i = 0; i < batch.size(); i++) c.program().input(c.step().data().get(i).name(), batch.get(i));
        return run(c);
    }

    /** The examples go straight from the data set into the program's input arrays: no tensor of doubles in between. */
    @Override public StepResult step(DataSet data, int[] indices) { return step(data, indices, null); }

    /**
     * A step whose batch may already be gathered: while this step computes, a loader thread
     * copies the next batch's examples into spare input arrays, which the next step swaps in.
     * The gather is random reads of a data set larger than the caches (0.09 ms of a 0.4 ms
     * softmax step), and the small kernels leave the second core idle.
     */
    @Override public StepResult step(DataSet data, int[] indices, int[] next) {
        long t0 = System.nanoTime();
        Compiled c = programFor(indices.length);
        Prefetch p = prefetch;
        prefetch = null;
        if (p != null && (p.indices() != indices || p.program() != c)) {
            // gathered for a batch that did not come: let it finish before its arrays are reused
            p.await();
            p = null;
        }
        if (p != null) p.swapInto(c);
        else fill(c, data, indices);
        long t1 = System.nanoTime();
        if (next != null && next.length == indices.length) prefetch = Prefetch.start(c, data, next, p);
        var r = run(c);
        if (TRACE) System.err.printf("step %d total %.3f ms, feed %.3f ms%n", t, (System.nanoTime() - t0) / 1e6, (t1 - t0) / 1e6);
        return r;
    }

    private static void fill(Compiled c, DataSet data, int[] indices) {
        var parts = c.step().data();
        for (int i = 0; i < parts.size(); i++) {
            switch (c.program().inputArray(parts.get(i).name())) {
                case float[] f -> data.batchInto(indices, i, f);
                case int[] ints -> data.batchInto(indices, i, ints);
                case null, default -> c.program().input(parts.get(i).name(), data.batch(indices).get(i));
            }
        }
    }

    /** The batch being gathered for the next step. */
    private Prefetch prefetch;

    private static final ExecutorService LOADER = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("dlc-batches").unstarted(r));

    /** The next batch's indices, the program it is for, its arrays by input, and the gather under way. */
    private record Prefetch(int[] indices, Compiled program, Object[] arrays, Future<?> done) {
        /**
         * Gathers {@code next} into arrays shaped as c's inputs: those of {@code last} (the
         * ones its step swapped out) when it was for c, else new ones. Null when an input is
         * not a plain float or int array.
         */
        static Prefetch start(Compiled c, DataSet data, int[] next, Prefetch last) {
            var parts = c.step().data();
            var arrays = new Object[parts.size()];
            for (int i = 0; i < arrays.length; i++) {
                Object in = c.program().inputArray(parts.get(i).name());
                if (!(in instanceof float[] || in instanceof int[])) return null;
                arrays[i] = last != null && last.program() == c ? last.arrays()[i]
                        : in instanceof float[] f ? new float[f.length] : new int[((int[]) in).length];
            }
            Future<?> done = LOADER.submit(() -> {
                for (int i = 0; i < arrays.length; i++) {
                    switch (arrays[i]) {
                        case float[] f -> data.batchInto(next, i, f);
                        case int[] ints -> data.batchInto(next, i, ints);
                        default -> throw new IllegalStateException();
                    }
                }
            });
            return new Prefetch(next, c, arrays, done);
        }

        /** Waits for the gather, then swaps its arrays in; the arrays swapped out are the next gather's. */
        void swapInto(Compiled c) {
            await();
            var parts = c.step().data();
            for (int i = 0; i < arrays.length; i++) arrays[i] = c.program().swapInput(parts.get(i).name(), arrays[i]);
        }

        /** Waits for the gather; its failure (a data set's error) is rethrown as it was. */
        void await() {
            try {
                done.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a batch was loading", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            }
        }
    }


    @Override public void prepare(long n) {
        if (programs.containsKey(n)) return;
        TrainStep s = programFor.apply(n);
        if (s != null) programs.put(n, compile(s));
    }

    /** The compiled step for a batch of n, compiled on first use, holding the slots. */
    private Compiled programFor(long n) {
        Compiled c = programs.get(n);
        if (c == null) {
            TrainStep s = programFor.apply(n);
            if (s == null) throw new IllegalArgumentException("no step program for a batch of " + n);
            c = compile(s);
            programs.put(n, c);
        }
        moveSlotsTo(c);
        return c;
    }

    /** One step of {@code c} on the batch already in its inputs. */
    private StepResult run(Compiled c) {
        TrainStep s = c.step();
        CpuProgram p = c.program();
        t++;
        p.input(s.step().name(), Tensor.scalar(DType.F32, t));
        for (var h : s.scheduled()) p.input(h.input().name(), Tensor.scalar(DType.F32, checker.scheduleAt(h.schedule(), t)));
        long seed = CounterRng.mix(s.seed() * 31 + t);
        long t0 = System.nanoTime();
        if (TRACE) p.profile(true);
        p.run(seed);
        if (TRACE) System.err.printf("step %d %.3f ms %s%n", t, (System.nanoTime() - t0) / 1e6, p.profileReport(1).subList(0, 3));
        double loss = p.scalar(0);
        if (!Double.isFinite(loss)) throw diverged(s, p, seed, loss);
        var metrics = new ArrayList<Double>();
        int m = s.metrics().size();
        for (int i = 0; i < m; i++) metrics.add(p.scalar(1 + i));
        var slots = s.slots();
        for (int i = 0; i < slots.size(); i++) {
            String path = slots.get(i).path();
            if (p.params().contains(path)) p.outputToParam(1 + m + i, path);
            else unread.put(path, p.output(1 + m + i));
        }
        return new StepResult(t, loss, metrics);
    }

    @Override
    public void explainDivergence(boolean on) { explain = on; }

    /**
     * A non-finite loss: the slots still hold the values the step started from (next values are
     * copied only after this check), so the interpreter reruns that very step to find the op.
     */
    private Diverged diverged(TrainStep s, CpuProgram p, long seed, double loss) {
        if (!explain) return new Diverged("the loss is " + loss + " at step " + t, t, null);
        var inputs = new HashMap<String, Tensor>();
        for (var in : s.data()) inputs.put(in.name(), p.input(in.name(), in.type()));
        inputs.put(s.step().name(), Tensor.scalar(DType.F32, t));
        for (var h : s.scheduled()) inputs.put(h.input().name(), Tensor.scalar(DType.F32, checker.scheduleAt(h.schedule(), t)));
        var slots = new HashMap<String, Tensor>();
        for (var slot : s.slots()) slots.put(slot.path(), p.param(slot.path(), slot.node().type()));
        var options = new Interpreter.Options(Interpreter.Precision.F32, true, seed);
        var origin = Interpreter.firstNonFinite(s.graph(), inputs, slots, options);
        return new Diverged("the loss is " + loss + " at step " + t, t, origin);
    }

    /** Makes {@code c} hold the slots' current values (a no-op unless the batch size changed). */
    private void moveSlotsTo(Compiled c) {
        if (c == current) return;
        for (var s : slotsByPath.values())
            if (current.program().params().contains(s.path())) c.program().param(s.path(), current.program().param(s.path(), s.node().type()));
        current = c;
    }

    @Override public long steps() { return t; }

    @Override public void steps(long count) { t = count; }

    @Override public Map<String, Tensor> slots() {
        var out = new LinkedHashMap<String, Tensor>();
        for (String path : slotsByPath.keySet()) out.put(path, value(path));
        return java.util.Collections.unmodifiableMap(out);
    }

    private static long batchOf(TrainStep s) { return s.data().getFirst().type().dim(0).value(); }
}
