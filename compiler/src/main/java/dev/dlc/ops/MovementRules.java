package dev.dlc.ops;

import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.DimError;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import dev.dlc.types.Type.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/** Shape rules of ops that move or index data: reshape ... embedding. */
final class MovementRules {
    private MovementRules() {}

    /** reshape(x, shape): one entry may be -1; the element counts must be equal. */
    static Type reshape(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        var target = new ArrayList<>(call.dims("shape"));
        if (x.shape().hasRest()) throw call.fail("cannot reshape %s: its leading dimensions are unknown", x);
        int hole = -1;
        Dim known = Dim.of(1);
        for (int i = 0; i < target.size(); i++) {
            Dim d = target.get(i);
            if (d.isConst() && d.value() == -1 && hole < 0) hole = i;
            else if (d.isConst() && d.value() < 0) throw call.fail("expected sizes >= 0 and at most one -1, found %s", Shape.of(target));
            else known = known.times(d);
        }
        Dim numel = x.shape().numel();
        if (hole >= 0) {
            try {
                if (known.isConst() && known.value() == 0) throw new DimError("zero");
                target.set(hole, quotient(x.shape().dims(), target, hole));
            } catch (DimError e) {
                throw call.fail("cannot reshape %s (%s elements) to %s", x, numel, Shape.of(call.dims("shape")));
            }
        } else if (!numel.equals(known)) {
            throw call.fail("cannot reshape %s (%s elements) to %s (%s elements)", x, numel, Shape.of(target), known);
        }
        return x.withShape(Shape.of(target));
    }

    /**
     * The size that -1 stands for: the elements of {@code from} over those of {@code to}'s other
     * entries, cancelling equal dims first so that {@code [B,T,D] -> [B,T,h,-1]} gives {@code D/h}.
     */
    private static Dim quotient(List<Dim> from, List<Dim> to, int hole) {
        var num = new ArrayList<>(from);
        Dim den = Dim.of(1);
        for (int i = 0; i < to.size(); i++)
            if (i != hole && !num.remove(to.get(i))) den = den.times(to.get(i));
        return Shape.of(num).numel().div(den);
    }

    /** flatten(x, start = 1): dims start.. collapse into one. */
    static Type flatten(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        int start = Check.axis(call, x, call.integer("start"));
        var dims = new ArrayList<>(x.shape().dims().subList(0, start));
        dims.add(x.shape().withDims(x.shape().dims().subList(start, x.rank())).numel());
        return x.withShape(x.shape().withDims(dims));
    }

    /** transpose(x, a = -2, b = -1): swaps two axes. */
    static Type transpose(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        int a = Check.axis(call, x, call.integer("a")), b = Check.axis(call, x, call.integer("b"));
        var dims = new ArrayList<>(x.shape().dims());
        dims.set(a, x.dim(b));
        dims.set(b, x.dim(a));
        return x.withShape(x.shape().withDims(dims));
    }

    /** permute(x, axes): output dim i is input dim axes[i]. */
    static Type permute(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        List<Long> axes = call.ints("axes");
        Check.knownRank(call, x);
        var seen = new HashSet<Integer>();
        var dims = new ArrayList<Dim>();
        for (long a : axes) {
            int i = Check.axis(call, x, a);
            if (!seen.add(i)) throw call.fail("axis %d is repeated in %s", a, axes);
            dims.add(x.dim(i));
        }
        if (dims.size() != x.rank()) throw call.fail("axes %s are not a permutation of the %d axes of %s", axes, x.rank(), x);
        return x.withShape(Shape.of(dims));
    }

    /** flip(x, axes): x with the order of its elements reversed along each of the axes; x's type. */
    static Type flip(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        List<Long> axes = call.ints("axes");
        Check.knownRank(call, x);
        var seen = new HashSet<Integer>();
        for (long a : axes) if (!seen.add(Check.axis(call, x, a))) throw call.fail("axis %d is repeated in %s", a, axes);
        return x;
    }

    /** broadcast(x, shape): NumPy broadcasting to exactly that shape. */
    static Type broadcast(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        Shape target = Shape.of(call.dims("shape"));
        if (!Broadcast.to(x.shape(), target)) throw call.fail("cannot broadcast %s to %s", x, target);
        return x.withShape(target);
    }

    /** concat(xs, axis = 0): equal dtypes and dims except along axis, where sizes add up. */
    static Type concat(Bound call) throws ShapeError {
        List<Tensor> xs = nonEmpty(call);
        Tensor first = xs.getFirst();
        int axis = Check.axis(call, first, call.integer("axis"));
        Dim total = Dim.of(0);
        for (Tensor t : xs) {
            Check.sameDtype(call, first, t);
            if (t.rank() != first.rank() || !Objects.equals(t.shape().rest(), first.shape().rest()))
                throw call.fail("ranks differ: %s and %s", first, t);
            for (int i = 0; i < t.rank(); i++)
                if (i != axis && !t.dim(i).equals(first.dim(i)))
                    throw call.fail("dimension %d differs: %s and %s", i, first, t);
            total = total.plus(t.dim(axis));
        }
        var dims = new ArrayList<>(first.shape().dims());
        dims.set(axis, total);
        return first.withShape(first.shape().withDims(dims));
    }

    /** stack(xs, axis = 0): equal types; a new axis of size len(xs). */
    static Type stack(Bound call) throws ShapeError {
        List<Tensor> xs = nonEmpty(call);
        Tensor first = xs.getFirst();
        for (Tensor t : xs) if (!t.equals(first)) throw call.fail("types differ: %s and %s", first, t);
        int axis = Check.axis(call, first, call.integer("axis"), first.rank() + 1);
        var dims = new ArrayList<>(first.shape().dims());
        dims.add(axis, Dim.of(xs.size()));
        return first.withShape(first.shape().withDims(dims));
    }

    /** split(x, sizes, axis = 0): an Int is the chunk size (the last chunk may be smaller); a tuple. */
    static Type split(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        int axis = Check.axis(call, x, call.integer("axis"));
        Dim d = x.dim(axis);
        var sizes = new ArrayList<Dim>();
        if (call.get("sizes") instanceof Dim chunk) {
            if (chunk.isConst() && chunk.value() <= 0) throw call.fail("chunk size must be positive, found %s", chunk);
            if (d.isConst() && chunk.isConst()) {
                for (long at = 0; at < d.value(); at += chunk.value()) sizes.add(Dim.of(Math.min(chunk.value(), d.value() - at)));
            } else {
                // Symbolic sizes: the chunk must divide the axis a known number of times (3*hidden by hidden).
                int k = 1;
                while (k <= 64 && !chunk.times(Dim.of(k)).equals(d)) k++;
                if (k > 64) throw call.fail("chunks of %s do not divide axis %d of %s into a known number of parts", chunk, axis, x);
                for (int i = 0; i < k; i++) sizes.add(chunk);
            }
        } else {
            Dim sum = Dim.of(0);
            for (Dim s : call.dims("sizes")) {
                if (s.isConst() && s.value() < 0) throw call.fail("sizes must be >= 0, found %s", call.dims("sizes"));
                sizes.add(s);
                sum = sum.plus(s);
            }
            if (!sum.equals(d)) throw call.fail("sizes %s add up to %s, but axis %d of %s has %s", call.dims("sizes"), sum, axis, x, d);
        }
        var parts = new ArrayList<Type>();
        for (Dim s : sizes) parts.add(x.withShape(replace(x.shape(), axis, s)));
        return new Type.Tuple(parts);
    }

    /** slice(x, axis, start, end = to the end, step = 1), with Python's negative indices and clamping. */
    static Type slice(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        int axis = Check.axis(call, x, call.integer("axis"));
        Dim start = call.dim("start"), end = call.has("end") ? call.dim("end") : null;
        long step = call.integer("step");
        if (step <= 0) throw call.fail("step must be positive, found %d", step);
        Dim d = x.dim(axis), len;
        if (d.isConst() && start.isConst() && (end == null || end.isConst())) {
            long n = d.value();
            long s = clamp(start.value(), n), e = end != null ? clamp(end.value(), n) : n;
            len = Dim.of(Math.max(0, Math.ceilDiv(e - s, step)));
        } else {
            // Symbolic sizes or bounds (pe[0:T]): assume the indices fall inside the axis.
            Dim s = start.isConst() && start.value() < 0 ? d.plus(start) : start;
            Dim e = end == null ? d : end.isConst() && end.value() < 0 ? d.plus(end) : end;
            len = step == 1 ? e.minus(s) : e.minus(s).plus(Dim.of(step - 1)).floorDiv(Dim.of(step));
            if (len.isConst() && len.value() < 0) len = Dim.of(0);
        }
        return x.withShape(replace(x.shape(), axis, len));
    }

    private static long clamp(long i, long n) { return i < 0 ? Math.max(0, i + n) : Math.min(i, n); }

    /** pad(x, pads, value = 0.0): (before, after) pairs for the last dims, last dim first. */
    static Type pad(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        List<Long> pads = call.ints("pads");
        if (pads.size() % 2 != 0 || pads.size() / 2 > x.rank())
            throw call.fail("expected (before, after) pairs for at most %d dims, found %s", x.rank(), pads);
        var dims = new ArrayList<>(x.shape().dims());
        for (int i = 0; i < pads.size() / 2; i++) {
            int at = x.rank() - 1 - i;
            Dim d = dims.get(at).plus(Dim.of(pads.get(2 * i) + pads.get(2 * i + 1)));
            if (d.isConst() && d.value() < 0) throw call.fail("padding %s leaves a negative size for %s", pads, x);
            dims.set(at, d);
        }
        return x.withShape(x.shape().withDims(dims));
    }

    /** gather(x, index, axis): out[i][j] = x[index[i][j]][j] along axis; index's shape, x's dtype. */
    static Type gather(Bound call) throws ShapeError {
        Tensor x = call.tensor("x"), index = call.tensor("index");
        indexLike(call, x, index);
        return index.withDtype(x.dtype());
    }

    /** scatter_add(x, index, src, axis): x with src added at index along axis; x's type. */
    static Type scatterAdd(Bound call) throws ShapeError {
        Tensor x = call.tensor("x"), index = call.tensor("index"), src = call.tensor("src");
        indexLike(call, x, index);
        Check.sameDtype(call, x, src);
        if (!src.shape().equals(index.shape())) throw call.fail("src %s and index %s differ in shape", src, index);
        return x;
    }

    /** An integer index of x's rank, no larger than x off the axis (where sizes are known). */
    private static void indexLike(Bound call, Tensor x, Tensor index) throws ShapeError {
        Check.integer(call, index, "an integer index");
        int axis = Check.axis(call, x, call.integer("axis"));
        if (index.rank() != x.rank() || !Objects.equals(index.shape().rest(), x.shape().rest()))
            throw call.fail("index %s must have the rank of %s", index, x);
        for (int i = 0; i < x.rank(); i++) {
            Dim a = index.dim(i), b = x.dim(i);
            if (i != axis && a.isConst() && b.isConst() && a.value() > b.value())
                throw call.fail("index %s is larger than %s in dimension %d", index, x, i);
        }
    }

    /** one_hot(y, K): f32[y..., K]. */
    static Type oneHot(Bound call) throws ShapeError {
        Tensor y = call.tensor("y");
        Check.integer(call, y, "integer labels");
        Dim k = call.dim("K");
        if (k.isConst() && k.value() <= 0) throw call.fail("K must be positive, found %s", k);
        return new Tensor(DType.F32, replace(y.shape(), y.rank(), k));
    }

    /** embedding(table: [V, D], ids): table's dtype, shape [ids..., D]. */
    static Type embedding(Bound call) throws ShapeError {
        Tensor table = call.tensor("table"), ids = call.tensor("ids");
        Check.rank(call, table, 2, "a table [V,D]");
        Check.floating(call, table);
        Check.integer(call, ids, "integer ids");
        return new Tensor(table.dtype(), replace(ids.shape(), ids.rank(), table.dim(1)));
    }

    private static List<Tensor> nonEmpty(Bound call) throws ShapeError {
        List<Tensor> xs = call.tensors("xs");
        if (xs.isEmpty()) throw call.fail("expected at least one tensor, found []");
        return xs;
    }

    /** s with dim i set to d; i == rank appends. */
    private static Shape replace(Shape s, int i, Dim d) {
        var dims = new ArrayList<>(s.dims());
        if (i == dims.size()) dims.add(d);
        else dims.set(i, d);
        return s.withDims(dims);
    }
}
