package dev.dlc.ops;

import dev.dlc.types.Type;
import java.util.List;

/**
 * A kernel of a primitive: computes the op's result from its tensor arguments (in signature
 * order, a tensor list flattened in place) and its bound compile-time arguments, as recorded
 * in the IR node's attributes. {@code result} is the node's type, so kernels read their output
 * shape from it instead of computing it again. Returns one tensor per part of the result: one
 * for a tensor, several for a tuple ({@code split}).
 *
 * <p>Kernels do not round: the executor fits each result to its dtype (see {@link Tensor#fit}),
 * which is how one kernel serves both the f32 and the f64 check mode.
 */
@FunctionalInterface
public interface Kernel {
    List<Tensor> run(List<Tensor> inputs, Bound attrs, Type result);

    /** The common case: a kernel with one tensor result. */
    @FunctionalInterface
    interface Single {
        Tensor run(List<Tensor> inputs, Bound attrs, Type.Tensor result);
    }

    static Kernel of(Single k) { return (in, attrs, result) -> List.of(k.run(in, attrs, (Type.Tensor) result)); }
}
