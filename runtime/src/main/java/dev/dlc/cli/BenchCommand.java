package dev.dlc.cli;

import dev.dlc.check.TrainStep;
import dev.dlc.exec.Backend;
import dev.dlc.exec.cpu.CpuBackend;
import dev.dlc.exec.cpu.Parallel;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import dev.dlc.ops.ArgKind;
import dev.dlc.ops.Bound;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.MemoryPlan;
import dev.dlc.pass.Pipeline;
import dev.dlc.train.Trainer;
import dev.dlc.types.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `dlc bench FILE`: times a train job's step on random data of the job's types (no data set is
 * opened): samples/s, GFLOP/s from the op table's FLOP rules (forward and backward, every op of
 * the step program, as `dlc check --summary` counts a forward), the share of this machine's
 * peak, and the arena's peak bytes from the memory plan.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time training steps of a job on random data.")
public final class BenchCommand implements Callable<Integer> {
    /** Two cores, each two 16-lane f32 FMAs per cycle: issue 5's measured peak of this machine kind. */
    static final double PEAK_GFLOPS = 184;

    @Parameters(paramLabel = "FILE") Path file;

    @Option(names = "--job", paramLabel = "NAME", description = "The train job (default: the first).")
    String job;

    @Option(names = "--steps", paramLabel = "N", description = "Timed steps (default: at least 5, and as many as fill 2 s).")
    Integer steps;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed steps before them (default: until the step time settles, at most 60 s).")
    Integer warmup;

    @Option(names = "--batch", paramLabel = "N", description = "The batch size (default: the job's data set's).")
    Long batch;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "cpu", description = "interp or cpu (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--peak", paramLabel = "GFLOPS", description = "This machine's peak GFLOP/s (default: 184, two cores with FMA).")
    Double peak;

    @Option(names = "--kernels", paramLabel = "N", defaultValue = "8", description = "How many of the slowest kernels to list (default: ${DEFAULT-VALUE}).")
    int kernels;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var c = IrCommand.compileClean(file, err);
        if (c == null) return 1;
        var jobs = c.checker().jobs().keySet();
        String name = job != null ? job : jobs.stream().findFirst().orElse(null);
        if (name == null || !jobs.contains(name)) {
            err.println("dlc: bench: no train job named '" + name + "'" + (jobs.isEmpty() ? "" : "; the file has " + String.join(", ", jobs)));
            return 1;
        }
        String unusable = Backend.problem(backend);
        if (unusable != null) { err.println("dlc: bench: --backend " + backend + ": " + unusable); return 1; }
        Backend b = Backend.named(backend);
        if (steps != null && steps < 1 || warmup != null && warmup < 0) { err.println("dlc: bench: --steps must be positive and --warmup not negative"); return 1; }
        TrainStep step = c.checker().lowerStep(name, batch == null ? 0 : batch);
        err.print(c.diags().render());
        if (step == null || c.diags().hasErrors()) return 1;
        Graph opt = new Pipeline(Pipeline.DEFAULT, false, (_, _, _) -> {}).run(step.graph());
        step = step.withGraph(opt);
        long n = step.data().getFirst().type().dim(0).value();
        var batchData = randomBatch(step);
        long t0 = System.nanoTime();
        var run = new Run(b.trainer(c.checker(), step, _ -> null), batchData);
        run.step();
        double firstMs = (System.nanoTime() - t0) / 1e6;
        var warm = warmup != null ? run.steps(warmup, 0) : run.warmUp(firstMs / 1e3);
        var timed = steps != null ? run.steps(steps, 0) : run.steps(MIN_STEPS, MIN_SECONDS);
        if (timed.counted() == 0) {
            err.println("dlc: bench: every timed step's loss was not finite on random data, so none was timed; try a smaller learning rate");
            return 1;
        }
        double perStep = timed.seconds() / timed.counted();
        double flops = flops(opt);
        double samples = n / perStep, gflops = flops / perStep / 1e9;
        double machine = peak != null ? peak : PEAK_GFLOPS;
        long arena = MemoryPlan.of(dev.dlc.pass.FusionPass.run(opt)).peak();
        out.printf("bench %s (%s, batch %d, %d threads): %d steps in %.3f s%n", name, b.name(), n, Parallel.threads(), timed.counted(), timed.seconds());
        out.printf("  %.1f ms per step, %,.0f samples/s%n", perStep * 1e3, samples);
        out.printf("  %.3f GFLOP per step, %.1f GFLOP/s, %.1f %% of %.0f GFLOP/s peak%n", flops / 1e9, gflops, 100 * gflops / machine, machine);
        out.printf("  arena peak %,d bytes; first step (compile or cache load) %.0f ms%n", arena, firstMs);
        out.printf("  warm-up: %d steps in %.1f s%s%n", warm.steps(), warm.seconds(),
                warmup != null ? "" : warm.seconds() >= MAX_WARMUP_SECONDS ? " (stopped at the limit: the step time had not settled)" : " (until the step time settled)");
        if (run.restarts > 0)
            out.printf("  the loss was not finite %d times on random data: each time the parameters started again and that step was not timed%n", run.restarts);
        var p = CpuBackend.programOf(run.trainer);
        if (p != null && kernels > 0) {
            // The trainer's own program, warm: a second compile would be cold again.
            int runs = Math.max(1, timed.steps());
            p.profile(true);
            run.steps(runs, 0);
            out.println("  time per kernel (ms per step, slowest first):");
            p.profileReport(runs).stream().limit(kernels).forEach(l -> out.println("    " + l));
            p.profile(false);
        }
        if (p != null)
            out.printf("  %d kernels generated, %d through the interpreter%s%n", p.generatedKernels(), p.fallbacks().size(),
                    p.fallbacks().isEmpty() ? "" : ":\n    " + String.join("\n    ", p.fallbacks()));
        return 0;
    }

    /** Default timed steps: at least this many, and at least this long. */
    private static final int MIN_STEPS = 5;
    private static final double MIN_SECONDS = 2;

    /**
     * Warm-up ends when two windows in a row were no more than 5 % faster than the fastest
     * before them, after at least 2 s and at least as long as the first step took: the JIT
     * compiles a kernel after hundreds of calls, so a small model's steps get 5-10 times faster
     * over its first second or two (softmax regression: 2.8 ms a step over steps 50-100, 0.3 ms
     * from about 300), and a first step that compiled the kernels leaves the JIT a backlog
     * (javac's own code) that delays them further (a character RNN: 112 ms a step timed after a
     * fixed 50 steps, 11 ms settled). A window is at least 2 steps and 0.25 s, and an eighth of
     * the warm-up so far, so that a plateau while a compile is queued is not taken for the end;
     * and a window in which the JIT compiled for more than a tenth of its time is not flat: a
     * backlog of hundreds of kernels can hold the step time level for many seconds (DenseNet:
     * 12 steps of 0.5 s "settled" after 10 s; compiled, 0.13-0.2 s a step).
     */
    private static final double MIN_WARMUP_SECONDS = 2, MAX_WARMUP_SECONDS = 60, WINDOW_SECONDS = 0.25, SETTLED = 0.95;

    /** Steps run, how many were timed (a step whose loss was not finite is not), and the timed seconds. */
    private record Span(int steps, int counted, double seconds) {}

    /** The trainer on one random batch; a step whose loss is not finite starts the parameters again. */
    private static final class Run {
        final Trainer trainer;
        final List<Tensor> batch;
        final Map<String, Tensor> initial;
        int restarts;

        Run(Trainer trainer, List<Tensor> batch) {
            this.trainer = trainer;
            this.batch = batch;
            trainer.explainDivergence(false);
            initial = Map.copyOf(trainer.slots());
        }

        /**
         * One step's seconds, or NaN when its loss was not finite: random data at the job's
         * learning rate may diverge (VGG-11 does by step 4), and speed is measured, not
         * training, so the parameters start again from their initial values.
         */
        double step() {
            long start = System.nanoTime();
            try {
                trainer.step(batch);
                return (System.nanoTime() - start) / 1e9;
            } catch (Trainer.Diverged e) {
                initial.forEach(trainer::set);
                restarts++;
                return Double.NaN;
            }
        }

        /** At least {@code min} steps, for at least {@code minSeconds} (wall time, diverged steps included). */
        Span steps(int min, double minSeconds) {
            int n = 0, counted = 0;
            double seconds = 0;
            long start = System.nanoTime();
            while (n < min || (System.nanoTime() - start) / 1e9 < minSeconds) {
                double s = step();
                n++;
                if (!Double.isNaN(s)) { seconds += s; counted++; }
            }
            return new Span(n, counted, seconds);
        }

        /** Windows of steps until the step time settles (see {@link #SETTLED}) or the limit. */
        Span warmUp(double firstSeconds) {
            int n = 0, flat = 0;
            double best = Double.POSITIVE_INFINITY, all = 0, least = Math.min(MAX_WARMUP_SECONDS, Math.max(MIN_WARMUP_SECONDS, firstSeconds));
            long start = System.nanoTime();
            while (all < MAX_WARMUP_SECONDS) {
                long compiling = compilingMillis(), windowStart = System.nanoTime();
                var w = steps(2, Math.max(WINDOW_SECONDS, all / 8));
                n += w.steps();
                all = (System.nanoTime() - start) / 1e9;
                if (w.counted() == 0) continue;
                double mean = w.seconds() / w.counted();
                boolean jitBusy = (compilingMillis() - compiling) / 1e3 > JIT_BUSY * (System.nanoTime() - windowStart) / 1e9;
                if (mean < SETTLED * best) { best = Math.min(best, mean); flat = 0; }
                else if (jitBusy) flat = 0;
                else flat++;
                if (flat >= 2 && all >= least) break;
            }
            return new Span(n, n, all);
        }
    }

    /** The share of a window's time the JIT may spend compiling and the window still count as flat. */
    private static final double JIT_BUSY = 0.1;

    /** The JIT's compiling time so far (all compiler threads), or 0 where the JVM does not report it. */
    private static long compilingMillis() {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** Uniform floats in [-1, 1) for float inputs, labels in [0, 2) for integer ones (every class count is at least 2). */
    private static List<Tensor> randomBatch(TrainStep step) {
        var rng = new SplittableRandom(1);
        var out = new ArrayList<Tensor>();
        for (Node.Input in : step.data()) {
            var t = in.type();
            out.add(Tensor.build(t.dtype(), Tensor.shapeOf(t), _ -> t.dtype().isFloat() ? rng.nextDouble(-1, 1) : rng.nextInt(2)));
        }
        return out;
    }

    /** The step's FLOPs by the op table's rules, a scan's body once per step. */
    static double flops(Graph g) {
        double total = 0;
        for (Node n : g.nodes()) {
            if (!(n instanceof Node.Apply a)) continue;
            if (Scan.is(a)) {
                var s = Scan.of(a);
                var x = (Type.Tensor) s.xs().getFirst().type();
                total += flops(s.body()) * x.dim(Scan.sliceAxis(s.axis(), x.rank())).value();
                continue;
            }
            var def = OpTable.forNode(a.op(), a.args().size()).orElse(null);
            if (def == null || def.flops() == null) continue;
            var values = new HashMap<String, Object>(a.attrs());
            int i = 0;
            for (var spec : def.sig().args())
                if (spec.kind() == ArgKind.TENSOR && i < a.args().size()) values.put(spec.name(), a.args().get(i++).type());
            try {
                total += def.flops().flops(new Bound(a.op(), values), a.type()).value();
            } catch (RuntimeException e) {
                // a rule that needs an argument this node does not record counts nothing
            }
        }
        return total;
    }
}
