package dev.dlc.cli;

import dev.dlc.check.TrainStep;
import dev.dlc.exec.Backend;
import dev.dlc.exec.cpu.CpuProgram;
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

    @Option(names = "--steps", paramLabel = "N", defaultValue = "50", description = "Timed steps, after as many warm-up steps (default: ${DEFAULT-VALUE}).")
    int steps;

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
        if (steps < 1) { err.println("dlc: bench: --steps must be positive"); return 1; }
        TrainStep step = c.checker().lowerStep(name, batch == null ? 0 : batch);
        err.print(c.diags().render());
        if (step == null || c.diags().hasErrors()) return 1;
        Graph opt = new Pipeline(Pipeline.DEFAULT, false, (_, _, _) -> {}).run(step.graph());
        step = step.withGraph(opt);
        long n = step.data().getFirst().type().dim(0).value();
        var batchData = randomBatch(step);
        long t0 = System.nanoTime();
        var trainer = b.trainer(c.checker(), step, _ -> null);
        trainer.explainDivergence(false);
        var initial = Map.copyOf(trainer.slots());
        var restarts = new int[1];
        timed(trainer, batchData, initial, restarts);
        double firstMs = (System.nanoTime() - t0) / 1e6;
        for (int i = 1; i < steps; i++) timed(trainer, batchData, initial, restarts);
        double seconds = 0;
        int counted = 0;
        for (int i = 0; i < steps; i++) {
            double s = timed(trainer, batchData, initial, restarts);
            if (!Double.isNaN(s)) { seconds += s; counted++; }
        }
        if (counted == 0) {
            err.println("dlc: bench: every timed step's loss was not finite on random data, so none was timed; try a smaller learning rate");
            return 1;
        }
        seconds *= (double) steps / counted;
        double flops = flops(opt);
        double samples = n * steps / seconds, gflops = flops * steps / seconds / 1e9;
        double machine = peak != null ? peak : PEAK_GFLOPS;
        long arena = MemoryPlan.of(dev.dlc.pass.FusionPass.run(opt)).peak();
        out.printf("bench %s (%s, batch %d, %d threads): %d steps in %.3f s%n", name, b.name(), n, Parallel.threads(), steps, seconds);
        out.printf("  %.1f ms per step, %,.0f samples/s%n", seconds * 1e3 / steps, samples);
        out.printf("  %.3f GFLOP per step, %.1f GFLOP/s, %.1f %% of %.0f GFLOP/s peak%n", flops / 1e9, gflops, 100 * gflops / machine, machine);
        out.printf("  arena peak %,d bytes; first step (compile or cache load) %.0f ms%n", arena, firstMs);
        if (restarts[0] > 0)
            out.printf("  the loss was not finite %d times on random data: each time the parameters started again and that step was not timed%n", restarts[0]);
        if (b.name().equals("cpu")) {
            var p = CpuProgram.compile(opt, true);
            var data = randomBatch(step);
            for (int i = 0; i < data.size(); i++) p.input(step.data().get(i).name(), data.get(i));
            for (int i = 0; i < steps; i++) p.run(i);
            p.profile(true);
            for (int i = 0; i < steps; i++) p.run(i);
            out.println("  time per kernel (ms per step, slowest first):");
            p.profileReport(steps).stream().limit(kernels).forEach(l -> out.println("    " + l));
            out.printf("  %d kernels generated, %d through the interpreter%s%n", p.generatedKernels(), p.fallbacks().size(),
                    p.fallbacks().isEmpty() ? "" : ":\n    " + String.join("\n    ", p.fallbacks()));
        }
        return 0;
    }

    /**
     * One step's seconds, or NaN when its loss was not finite: random data at the job's learning
     * rate may diverge (VGG-11 does by step 4), and speed is measured, not training, so the
     * parameters start again from their initial values.
     */
    private static double timed(Trainer trainer, List<Tensor> batch, Map<String, Tensor> initial, int[] restarts) {
        long start = System.nanoTime();
        try {
            trainer.step(batch);
            return (System.nanoTime() - start) / 1e9;
        } catch (Trainer.Diverged e) {
            initial.forEach(trainer::set);
            restarts[0]++;
            return Double.NaN;
        }
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
