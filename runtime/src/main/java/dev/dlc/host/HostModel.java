package dev.dlc.host;

import dev.dlc.ir.Graph;
import dev.dlc.ops.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model in host code: the DL expression that builds it ({@code MLP(hidden = 16)}) and its
 * weights, which {@code fit} trains in place. A model starts without weights; the first
 * program that uses it (fit, evaluate, predict) gives them their initial values, drawn with
 * the model's own seed, so two models built alike still start differently, as in PyTorch.
 */
public final class HostModel {
    private final String expr;
    private final long seed;
    final Map<String, Tensor> weights = new LinkedHashMap<>();
    /** The forward for each input type, built on first use. */
    final Map<String, Graph> forwards = new HashMap<>();

    HostModel(String expr, long seed) {
        this.expr = expr;
        this.seed = seed;
    }

    String expr() { return expr; }
    long seed() { return seed; }

    @Override public String toString() {
        long n = weights.values().stream().mapToLong(Tensor::numel).sum();
        return weights.isEmpty() ? expr : expr + " (" + String.format(java.util.Locale.ROOT, "%,d", n) + " weights)";
    }
}
