package dev.dlc.exec.cpu;

import dev.dlc.check.Checker;
import dev.dlc.check.TrainStep;
import dev.dlc.exec.Backend;
import dev.dlc.ir.Graph;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.Pipeline;
import dev.dlc.train.Trainer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.LongFunction;

/**
 * The compiled CPU backend ({@code --backend cpu}): each graph is optimized by the pass
 * pipeline, fused, planned and generated as Java ({@link CpuProgram}), compiled once and kept.
 * Inference programs are cached per graph object (an evaluation lowers one graph per batch size
 * and runs it for every batch).
 */
public final class CpuBackend implements Backend {
    private final Map<Graph, CpuProgram> programs = Collections.synchronizedMap(new WeakHashMap<>());

    @Override public String name() { return "cpu"; }

    @Override public Trainer trainer(Checker checker, TrainStep step, LongFunction<TrainStep> programFor) {
        return new CpuTrainer(checker, step, programFor);
    }

    @Override public List<Tensor> run(Graph g, Map<String, Tensor> inputs, Map<String, Tensor> params) {
        CpuProgram p = programs.computeIfAbsent(g, x -> CpuProgram.compile(optimize(x), false));
        synchronized (p) {
            return p.run(inputs, params, 0);
        }
    }

    /** The pass pipeline, unchecked (the checker's graphs are verified where they are built). */
    static Graph optimize(Graph g) {
        return new Pipeline(Pipeline.DEFAULT, false, (_, _, _) -> {}).run(g);
    }

    /** The compiled program behind a cpu trainer's last step (for `dlc bench`'s kernel times), else null. */
    public static CpuProgram programOf(Trainer t) { return t instanceof CpuTrainer c ? c.lastProgram() : null; }
}
