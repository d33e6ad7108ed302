package dev.dlc.exec;

import dev.dlc.check.Checker;
import dev.dlc.check.TrainStep;
import dev.dlc.ir.Graph;
import dev.dlc.ops.Tensor;
import dev.dlc.train.Trainer;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Where IR programs run: the reference interpreter ({@code interp}, the oracle) or a compiled
 * backend. `dlc run --backend NAME` chooses one; everything that trains, evaluates or predicts
 * goes through this interface.
 */
public interface Backend {
    /** The name `--backend` takes. */
    String name();

    /**
     * A trainer for a job's step: {@code step} for the usual batch size, {@code programFor}
     * for another (a partial last batch; null when none can be built). Slots start from their
     * initializers with the step's seed.
     */
    Trainer trainer(Checker checker, TrainStep step, LongFunction<TrainStep> programFor);

    /**
     * Runs an inference program (an evaluation, a forward for predict, a fn) on inputs by
     * name and parameters by path; one tensor per output. A compiled backend compiles a graph
     * on its first run and keeps it.
     */
    List<Tensor> run(Graph g, Map<String, Tensor> inputs, Map<String, Tensor> params);

    /** The names `--backend` accepts, the default first. */
    List<String> NAMES = List.of("interp", "cpu");

    /** The backend called {@code name}; null for an unknown name. */
    static Backend named(String name) {
        return switch (name) {
            case "interp" -> new InterpBackend(dev.dlc.ir.Interpreter.Precision.F32);
            case "cpu" -> new dev.dlc.exec.cpu.CpuBackend();
            default -> null;
        };
    }

    /** The default backend. */
    static Backend standard() { return named(NAMES.getFirst()); }
}
