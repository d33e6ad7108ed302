package dev.dlc.ops;

import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import dev.dlc.types.Type.Tensor;

/**
 * FLOP conventions (forward pass, one call), kept deliberately simple: every elementwise op,
 * transcendental or not, costs 1 per output element; a reduction 1 per input element; softmax
 * and log_softmax 5 per element (max, subtract, exp, sum, divide or log); matmul
 * {@code 2*M*N*K*batch}; conv2d {@code 2*N*O*H'*W'*(C/groups)*KH*KW}; pools {@code KH*KW} per
 * output element; scatter_add 1 per source element; movement, casts and sources 0.
 */
final class Flops {
    private Flops() {}

    static Dim zero(Bound call, Type result) { return Dim.of(0); }

    /** 1 per output element. */
    static Dim perOutput(Bound call, Type result) { return numel(result); }

    /** {@code k} per element of the argument named x. */
    static FlopRule perInput(long k) { return (call, result) -> Dim.of(k).times(numel(call.tensor("x"))); }

    /** 2*K per output element: one multiply and one add per term of each dot product. */
    static Dim matmul(Bound call, Type result) {
        Tensor a = call.tensor("a");
        return Dim.of(2).times(a.dim(a.rank() - 1)).times(numel(result));
    }

    /** 2*(C/groups)*KH*KW per output element: the weight's last three dims. */
    static Dim conv2d(Bound call, Type result) {
        Tensor w = call.tensor("w");
        return Dim.of(2).times(w.dim(1)).times(w.dim(2)).times(w.dim(3)).times(numel(result));
    }

    /** KH*KW per output element. */
    static Dim pool2d(Bound call, Type result) {
        long[] k = call.pair("kernel");
        return Dim.of(k[0] * k[1]).times(numel(result));
    }

    /** A max and a compare per window element, per window (g's elements). */
    static Dim maxPool2dGrad(Bound call, Type result) {
        long[] k = call.pair("kernel");
        return Dim.of(2 * k[0] * k[1]).times(numel(call.tensor("g")));
    }

    static Dim scatterAdd(Bound call, Type result) { return numel(call.tensor("src")); }

    /** Elements of a tensor's known dims. */
    static Dim numel(Type t) { return ((Tensor) t).shape().numel(); }
}
