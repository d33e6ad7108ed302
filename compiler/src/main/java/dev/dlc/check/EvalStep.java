package dev.dlc.check;

import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import java.util.List;

/**
 * A train job's evaluation program: the model in inference mode on a batch, the loss and each
 * metric (the graph's outputs, in that order). It reads the job's parameters and buffers by
 * the paths of its {@link TrainStep}'s slots.
 */
public record EvalStep(String job, Graph graph, List<Node.Input> data, List<String> metrics) {
    public EvalStep {
        data = List.copyOf(data);
        metrics = List.copyOf(metrics);
    }
}
