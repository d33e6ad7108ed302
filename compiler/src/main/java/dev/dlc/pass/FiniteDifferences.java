package dev.dlc.pass;

import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ops.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * The reference for every gradient: central differences of a graph's first output (a
 * scalar loss), run by the interpreter. The gradient checks of the tests and of
 * `dlc gradcheck` all measure autodiff against this.
 */
public final class FiniteDifferences {
    private FiniteDifferences() {}

    /** What is moved: a parameter (by path) or an input (by name). */
    public enum Of { PARAM, INPUT }

    /**
     * d loss / d x[k] ~ (loss(x + eps e_k) - loss(x - eps e_k)) / (2 eps), where x is
     * {@code params[key]} or {@code inputs[key]}; the maps are not changed.
     */
    public static double derivative(Graph g, Map<String, Tensor> inputs, Map<String, Tensor> params,
                                    Of of, String key, int k, double eps, Interpreter.Options options) {
        Tensor x = (of == Of.PARAM ? params : inputs).get(key);
        return directional(g, inputs, params, of, key, Tensor.build(x.dtype(), x.shape(), i -> i == k ? 1 : 0), eps, options);
    }

    /**
     * The derivative along a direction, (loss(x + eps v) - loss(x - eps v)) / (2 eps), which
     * autodiff gives as the dot product of the gradient with v: one check of every element of
     * x at the cost of two runs.
     */
    public static double directional(Graph g, Map<String, Tensor> inputs, Map<String, Tensor> params,
                                     Of of, String key, Tensor v, double eps, Interpreter.Options options) {
        return (moved(g, inputs, params, of, key, v, eps, options) - moved(g, inputs, params, of, key, v, -eps, options)) / (2 * eps);
    }

    private static double moved(Graph g, Map<String, Tensor> inputs, Map<String, Tensor> params,
                                Of of, String key, Tensor dir, double eps, Interpreter.Options options) {
        var moved = new HashMap<>(of == Of.PARAM ? params : inputs);
        Tensor x = moved.get(key);
        double[] v = x.toArray();
        for (int i = 0; i < v.length; i++) v[i] += eps * dir.at(i);
        moved.put(key, Tensor.of(x.dtype(), x.shape(), v));
        return Interpreter.run(g, of == Of.INPUT ? moved : inputs, of == Of.PARAM ? moved : params, options).getFirst().at(0);
    }

    /** |a - n| / max(1, |a|, |n|): absolute near zero, relative for large values. */
    public static double relativeError(double analytic, double numeric) {
        return Math.abs(analytic - numeric) / Math.max(1, Math.max(Math.abs(analytic), Math.abs(numeric)));
    }

}
