package dev.dlc.ops;

import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import dev.dlc.types.Type.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/** Shape rules of reductions along axes: sum mean max min logsumexp, argmax argmin, softmax. */
final class ReduceRules {
    private ReduceRules() {}

    /** sum max min: int or float. */
    static Type numeric(Bound call) throws ShapeError {
        Check.numeric(call, call.tensor("x"));
        return reduce(call, call.tensor("x"));
    }

    /** mean logsumexp: float. */
    static Type floating(Bound call) throws ShapeError {
        Check.floating(call, call.tensor("x"));
        return reduce(call, call.tensor("x"));
    }

    /** argmax argmin: one axis, i32 indices. */
    static Type arg(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        Check.numeric(call, x);
        int a = Check.axis(call, x, call.integer("axis"));
        return new Tensor(DType.I32, remove(x.shape(), List.of(a), call.bool("keepdims")));
    }

    /** softmax log_softmax: float, the axis must exist, same type. */
    static Type softmax(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        Check.floating(call, x);
        Check.axis(call, x, call.integer("axis"));
        return x;
    }

    /** Removes (or with keepdims sets to 1) the given axes; no axes given means all. */
    private static Type reduce(Bound call, Tensor x) throws ShapeError {
        boolean keep = call.bool("keepdims");
        var given = call.axes("axis");
        if (given.isEmpty()) {
            if (!keep) return x.withShape(Shape.SCALAR);
            Check.knownRank(call, x);
            return x.withShape(Shape.of(Collections.nCopies(x.rank(), Dim.of(1))));
        }
        var axes = new TreeSet<Integer>();
        for (long a : given.get())
            if (!axes.add(Check.axis(call, x, a))) throw call.fail("axis %d is repeated", a);
        return x.withShape(remove(x.shape(), axes, keep));
    }

    private static Shape remove(Shape s, Collection<Integer> axes, boolean keep) {
        var out = new ArrayList<Dim>();
        for (int i = 0; i < s.rank(); i++) {
            if (!axes.contains(i)) out.add(s.dim(i));
            else if (keep) out.add(Dim.of(1));
        }
        return s.withDims(out);
    }
}
