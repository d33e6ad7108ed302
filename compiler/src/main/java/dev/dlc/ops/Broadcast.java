package dev.dlc.ops;

import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * NumPy broadcasting on symbolic shapes, the one place the checker and the op rules use.
 * Dimensions align from the right; two dimensions agree when they are equal (structurally, so
 * {@code B} and {@code C} do not) or one of them is 1. A shape with a rest ({@code [...,K]})
 * broadcasts with a shape of no greater known rank, or with one of the same rest and rank, and
 * keeps its rest; anything else would need the unknown leading dimensions.
 */
public final class Broadcast {
    private Broadcast() {}

    /** The broadcast of two shapes, or empty when they do not broadcast. */
    public static Optional<Shape> shapes(Shape a, Shape b) {
        int ra = a.rank(), rb = b.rank(), n = Math.max(ra, rb);
        String rest;
        if (a.hasRest() && b.hasRest()) {
            if (!a.rest().equals(b.rest()) || ra != rb) return Optional.empty();
            rest = a.rest();
        } else if (a.hasRest()) {
            if (rb > ra) return Optional.empty();
            rest = a.rest();
        } else if (b.hasRest()) {
            if (ra > rb) return Optional.empty();
            rest = b.rest();
        } else rest = null;
        var out = new Dim[n];
        for (int i = 1; i <= n; i++) {
            Dim x = i <= ra ? a.dim(ra - i) : null, y = i <= rb ? b.dim(rb - i) : null;
            Dim r = x == null ? y : y == null ? x : dim(x, y);
            if (r == null) return Optional.empty();
            out[n - i] = r;
        }
        return Optional.of(new Shape(rest, Arrays.asList(out)));
    }

    /** Two dimensions broadcast to the other when one is 1; otherwise they must be equal. */
    public static Dim dim(Dim x, Dim y) {
        if (x.equals(y)) return x;
        if (isOne(x)) return y;
        if (isOne(y)) return x;
        return null;
    }

    /** Whether {@code from} broadcasts to exactly {@code target} (the {@code broadcast} op, masks). */
    public static boolean to(Shape from, Shape target) {
        return shapes(from, target).filter(target::equals).isPresent();
    }

    /** The broadcast shape of all tensors, or the op's error naming the first pair that fails. */
    public static Shape tensors(Bound call, Type.Tensor... ts) throws ShapeError {
        Shape s = ts[0].shape();
        var seen = new ArrayList<Type.Tensor>(List.of(ts[0]));
        for (int i = 1; i < ts.length; i++) {
            Optional<Shape> r = shapes(s, ts[i].shape());
            if (r.isEmpty()) {
                Type.Tensor a = seen.getLast(), b = ts[i];
                Type.Tensor withRest = a.shape().hasRest() ? a : b.shape().hasRest() ? b : null;
                throw call.fail("cannot broadcast %s and %s%s", a, b,
                        withRest == null ? "" : " (the leading dimensions of " + withRest + " are unknown)");
            }
            s = r.get();
            seen.add(ts[i]);
        }
        return s;
    }

    static boolean isOne(Dim d) { return d.isConst() && d.value() == 1; }
}
