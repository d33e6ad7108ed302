package dev.dlc.check;

import dev.dlc.diag.Span;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import java.util.List;
import java.util.Map;

/**
 * One training step of a `train` job as a single IR program: the forward in training mode,
 * the loss (with its regularizer), the gradients, clipping and the optimizer's update of
 * every parameter. A runner keeps the {@link Slot}s' values between steps and feeds the
 * inputs; everything else is inside {@link #graph}.
 *
 * <p>The graph's outputs are, in order: the loss, one value per metric, then the next value
 * of every slot in {@link #slots} order.
 *
 * @param data      the batch: the model's inputs, then the labels ({@code y})
 * @param step      {@code t}, the 1-based step number, an {@code f32[]} input (bias corrections use it)
 * @param scheduled hyperparameters given a schedule: an {@code f32[]} input each, whose value the
 *                  runner computes per step with {@link Checker#scheduleAt}
 * @param slots     the state a runner keeps: parameters, buffers, optimizer states
 * @param gradients each trainable parameter's gradient (by path) before clipping, nodes of
 *                  {@link #graph} that are not outputs (for `dlc gradcheck`)
 */
public record TrainStep(String job, Graph graph, List<Node.Input> data, Node.Input step, List<Scheduled> scheduled,
                        List<Slot> slots, Node loss, List<Metric> metrics, Map<String, Node> gradients, long seed, Span at) {
    public TrainStep {
        data = List.copyOf(data);
        scheduled = List.copyOf(scheduled);
        slots = List.copyOf(slots);
        metrics = List.copyOf(metrics);
        gradients = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(gradients));
    }

    public enum Kind { PARAMETER, BUFFER, OPTIMIZER_STATE }

    /**
     * A value kept between steps: {@code node} reads it, {@code next} is its value after the step
     * ({@code node} itself when the step leaves it alone). {@code init} says how it starts.
     */
    public record Slot(String path, Kind kind, Node.Param node, Initializer init, Node next) {}

    /** How a slot starts: {@code zeros}, {@code ones}, {@code constant(v)}, {@code normal(std[, mean])}, {@code uniform(a, b)}, xavier and kaiming. */
    public record Initializer(String kind, List<Double> args) {
        public Initializer { args = List.copyOf(args); }
        static Initializer of(Val v) {
            return v instanceof Val.Init i ? new Initializer(i.kind(), i.args()) : new Initializer("zeros", List.of());
        }
    }

    /** A hyperparameter that follows a schedule: the input that carries its value at the current step. */
    public record Scheduled(String name, Node.Input input, Val.Schedule schedule) {}

    public record Metric(String name, Node value) {}

    /** The graph's outputs: loss, metrics, then the slots' next values. */
    public List<Node> outputs() { return graph.outputs(); }

    /**
     * The same step computed by an equivalent graph (the optimized one), whose outputs are in
     * the same order. Inputs and slots are found by name, so they need not be the same nodes.
     */
    public TrainStep withGraph(Graph g) {
        var outs = g.outputs();
        if (outs.size() != graph.outputs().size())
            throw new IllegalArgumentException("the new graph has " + outs.size() + " outputs, the step " + graph.outputs().size());
        var ms = new java.util.ArrayList<Metric>();
        for (int i = 0; i < metrics.size(); i++) ms.add(new Metric(metrics.get(i).name(), outs.get(1 + i)));
        var ss = new java.util.ArrayList<Slot>();
        for (int i = 0; i < slots.size(); i++) {
            var s = slots.get(i);
            ss.add(new Slot(s.path(), s.kind(), s.node(), s.init(), outs.get(1 + metrics.size() + i)));
        }
        // The gradients are not outputs, so the new graph need not hold them.
        return new TrainStep(job, g, data, step, scheduled, ss, outs.getFirst(), ms, Map.of(), seed, at);
    }
}
