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

    /** The names `--backend` accepts, the default first: the compiled CPU backend, then the oracle. */
    List<String> NAMES = List.of("cpu", "interp");

    /** The backend called {@code name}; null for an unknown name. */
    static Backend named(String name) {
        return switch (name) {
            case "interp" -> new InterpBackend(dev.dlc.ir.Interpreter.Precision.F32);
            case "cpu" -> vectorApi() ? new dev.dlc.exec.cpu.CpuBackend() : null;
            default -> null;
        };
    }

    /**
     * The default backend: the compiled CPU backend, or the interpreter in a JVM started
     * without the Vector API ({@code --add-modules jdk.incubator.vector}; `dlc` always adds
     * it, an embedding program may not), so that embedding never fails for want of a flag.
     */
    static Backend standard() { return named(vectorApi() ? "cpu" : "interp"); }

    /** Why {@code name} cannot be used here, in a sentence; null when it can. */
    static String problem(String name) {
        if (name.equals("cpu") && !vectorApi()) return "the cpu backend needs the Vector API: start the JVM with --add-modules jdk.incubator.vector";
        return named(name) == null ? "unknown backend; the backends are " + String.join(", ", NAMES) : null;
    }

    /** Whether this JVM has the Vector API module, which the CPU backend's kernels need. */
    static boolean vectorApi() { return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(); }
}
