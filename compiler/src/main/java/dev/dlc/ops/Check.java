package dev.dlc.ops;

import dev.dlc.types.DType;
import dev.dlc.types.Type.Tensor;

/** Checks shared by the rule classes; each failure names the op and what it found. */
final class Check {
    private Check() {}

    /** The index into {@code x}'s known dims of a possibly negative axis. */
    static int axis(Bound call, Tensor x, long axis) throws ShapeError {
        return axis(call, x, axis, x.rank());
    }

    /** As {@link #axis(Bound, Tensor, long)} over {@code rank} positions (rank + 1 for stack's new axis). */
    static int axis(Bound call, Tensor x, long axis, int rank) throws ShapeError {
        if (x.shape().hasRest() && axis >= 0)
            throw call.fail("axis %d needs a known rank, but %s has unknown leading dimensions (use a negative axis)", axis, x);
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw call.fail("axis %d is out of range for %s", axis, x);
        return (int) a;
    }

    static void knownRank(Bound call, Tensor x) throws ShapeError {
        if (x.shape().hasRest()) throw call.fail("needs a known rank, but %s has unknown leading dimensions", x);
    }

    static void rank(Bound call, Tensor x, int rank, String what) throws ShapeError {
        if (x.shape().hasRest() || x.rank() != rank)
            throw call.fail("expected %s of rank %d, found %s", what, rank, x);
    }

    static void floating(Bound call, Tensor x) throws ShapeError {
        if (!x.dtype().isFloat()) throw call.fail("expected a float tensor, found %s", x);
    }

    static void numeric(Bound call, Tensor x) throws ShapeError {
        if (x.dtype().isBool()) throw call.fail("expected a numeric tensor, found %s", x);
    }

    static void bool(Bound call, Tensor x, String what) throws ShapeError {
        if (!x.dtype().isBool()) throw call.fail("expected %s, found %s", what, x);
    }

    static void integer(Bound call, Tensor x, String what) throws ShapeError {
        if (!x.dtype().isInt()) throw call.fail("expected %s, found %s", what, x);
    }

    static void sameDtype(Bound call, Tensor a, Tensor b) throws ShapeError {
        if (a.dtype() != b.dtype()) throw call.fail("dtypes differ: %s and %s", a, b);
    }

    static DType dtype(Bound call, String name) throws ShapeError {
        String s = call.string(name);
        return DType.parse(s).orElseThrow(() -> call.fail("unknown dtype \"%s\"", s));
    }
}
