package dev.dlc.exec;

import dev.dlc.check.Checker;
import dev.dlc.check.TrainStep;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ops.Tensor;
import dev.dlc.train.InterpretedTrainer;
import dev.dlc.train.Trainer;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/** The reference interpreter as a backend: slow, exact, the oracle every other backend is tested against. */
public record InterpBackend(Interpreter.Precision precision) implements Backend {
    @Override public String name() { return "interp"; }

    @Override public Trainer trainer(Checker checker, TrainStep step, LongFunction<TrainStep> programFor) {
        return new InterpretedTrainer(checker, step, programFor, precision);
    }

    @Override public List<Tensor> run(Graph g, Map<String, Tensor> inputs, Map<String, Tensor> params) {
        return Interpreter.run(g, inputs, params, new Interpreter.Options(precision, false, 0));
    }
}
