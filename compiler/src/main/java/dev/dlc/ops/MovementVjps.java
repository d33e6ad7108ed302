package dev.dlc.ops;

import static dev.dlc.ir.Builder.tensor;
import static dev.dlc.ops.Prim.*;
import static dev.dlc.ops.Vjps.arg;
import static dev.dlc.ops.Vjps.axis;
import static dev.dlc.ops.Vjps.one;
import static dev.dlc.ops.Vjps.rule;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Node;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * VJP rules of the movement ops. Each moves values without changing them, so its VJP moves
 * the cotangent back: the inverse permutation, the complementary slice or pad, a scatter for
 * a gather.
 */
final class MovementVjps {
    private MovementVjps() {}

    static void install() {
        // reshape / flatten: same elements in the same order, so dx = g in x's shape.
        rule(RESHAPE, (b, y, g) -> one(b.reshape(g, tensor(arg(y, 0)).shape())));
        rule(FLATTEN, (b, y, g) -> one(b.reshape(g, tensor(arg(y, 0)).shape())));
        // transpose(a, b) swaps two axes and is its own inverse.
        rule(TRANSPOSE, (b, y, g) -> one(b.apply("transpose", List.of(g), Map.of("a", y.attrs().get("a"), "b", y.attrs().get("b")))));
        // permute(axes): y.axis(i) = x.axis(axes[i]), so dx = permute(g, inverse) with inverse[axes[i]] = i.
        rule(PERMUTE, (b, y, g) -> {
            var axes = new Bound(y.op(), y.attrs()).ints("axes");
            int rank = axes.size();
            var inverse = new Long[rank];
            for (int i = 0; i < rank; i++) inverse[(int) ((axes.get(i) + rank) % rank)] = (long) i;
            return one(b.apply("permute", List.of(g), Map.of("axes", List.of(inverse))));
        });
        // flip is its own inverse.
        rule(FLIP, (b, y, g) -> one(b.apply("flip", List.of(g), Map.of("axes", y.attrs().get("axes")))));
        // broadcast copies x along new or size-1 axes: the copies' cotangents add up.
        rule(BROADCAST, (b, y, g) -> one(b.sumTo(g, tensor(arg(y, 0)))));
        // concat: each input gets its own stretch of g along the axis.
        rule(CONCAT, (b, y, g) -> {
            int ax = axis(y, "axis", tensor(y).rank());
            var out = new ArrayList<Node>();
            Dim at = Dim.of(0);
            for (Node x : y.args()) {
                Dim end = at.plus(tensor(x).dim(ax));
                out.add(slice(b, g, ax, at, end));
                at = end;
            }
            return out;
        });
        // stack: input i is the slice i of g along the new axis, that axis dropped.
        rule(STACK, (b, y, g) -> {
            int ax = axis(y, "axis", tensor(y).rank());
            var out = new ArrayList<Node>();
            for (int i = 0; i < y.args().size(); i++)
                out.add(b.reshape(slice(b, g, ax, Dim.of(i), Dim.of(i + 1)), tensor(arg(y, i)).shape()));
            return out;
        });
        // split is concat's inverse: dx = concat(g_parts) (the pass gives zeros for unused parts).
        Vjps.RULES.put(SPLIT, (b, y, gs) -> one(b.apply("concat", gs, Map.of("axis", (long) axis(y, "axis", tensor(arg(y, 0)).rank())))));
        rule(SLICE, MovementVjps::slice);
        // pad(x, pads) adds (before, after) around each axis; cropping by the same amounts undoes it
        // (a negative pad crops), and what pad had cropped comes back as zeros.
        rule(PAD, (b, y, g) -> {
            var back = new Bound(y.op(), y.attrs()).ints("pads").stream().map(p -> -p).toList();
            return one(b.apply("pad", List.of(g), Map.of("pads", back, "value", 0.0)));
        });
        // gather reads x at index; the reads' cotangents add up at the places read. None to the index.
        rule(GATHER, (b, y, g) -> Arrays.asList(
                b.apply("scatter_add", List.of(b.zeros(tensor(arg(y, 0))), arg(y, 1), g), Map.of("axis", y.attrs().get("axis"))), null));
        // scatter_add(x, index, src): x passes through; src was added at index, so it reads g there.
        rule(SCATTER_ADD, (b, y, g) -> Arrays.asList(g, null,
                b.apply("gather", List.of(g, arg(y, 1)), Map.of("axis", y.attrs().get("axis")))));
        // embedding(table[V, D], ids): row ids[p] was read for each position p, so the table's
        // cotangent is every g[p, :] added to row ids[p]: a scatter_add along axis 0.
        rule(EMBEDDING, (b, y, g) -> {
            Node table = arg(y, 0), ids = arg(y, 1);
            Dim d = tensor(table).dim(1), n = Dim.of(1);
            for (Dim k : tensor(ids).shape().dims()) n = n.times(k);
            Node rows = b.reshape(g, Shape.of(List.of(n, d)));
            Node at = b.broadcast(b.reshape(ids, Shape.of(List.of(n, Dim.of(1)))), Shape.of(List.of(n, d)));
            return Arrays.asList(b.apply("scatter_add", List.of(b.zeros(tensor(table)), at, rows), Map.of("axis", 0L)), null);
        });
    }

    private static Node slice(Builder b, Node x, int axis, Dim start, Dim end) {
        return b.apply("slice", List.of(x), Map.of("axis", (long) axis, "start", start, "end", end, "step", 1L));
    }

    /**
     * slice(x, axis, s, e, step) keeps x[s + j*step] for j < len; dx puts g[j] back there and
     * zeros elsewhere: spread g by step (a new axis of size 1 padded to step, then merged),
     * trim to what fits, and pad by s before and the rest after.
     */
    private static List<Node> slice(Builder b, Node.Apply y, Node g) {
        var x = tensor(arg(y, 0));
        var at = new Bound(y.op(), y.attrs());
        int ax = axis(y, "axis", x.rank());
        long n = x.dim(ax).value(), step = at.integer("step");
        long s = clamp(at.dim("start").value(), n), e = at.has("end") ? clamp(at.dim("end").value(), n) : n;
        long len = tensor(y).dim(ax).value();
        Node spread = g;
        long reach = len;
        if (step > 1 && len > 0) {
            var dims = new ArrayList<>(tensor(g).shape().dims());
            dims.add(ax + 1, Dim.of(1));
            Node split = b.reshape(g, Shape.of(dims));
            Node padded = b.apply("pad", List.of(split), Map.of("pads", pads(dims.size(), ax + 1, 0, step - 1), "value", 0.0));
            var merged = new ArrayList<>(tensor(g).shape().dims());
            merged.set(ax, Dim.of(len * step));
            spread = b.reshape(padded, Shape.of(merged));
            reach = Math.min(len * step, n - s);
            if (reach < len * step) spread = slice(b, spread, ax, Dim.of(0), Dim.of(reach));
        }
        return one(b.apply("pad", List.of(spread), Map.of("pads", pads(x.rank(), ax, s, n - s - reach), "value", 0.0)));
    }

    /** pad's (before, after) pairs, last axis first, with only {@code axis} padded. */
    private static List<Long> pads(int rank, int axis, long before, long after) {
        var out = new ArrayList<Long>();
        for (int i = rank - 1; i >= axis; i--) {
            out.add(i == axis ? before : 0L);
            out.add(i == axis ? after : 0L);
        }
        return out;
    }

    private static long clamp(long i, long n) { return i < 0 ? Math.max(0, i + n) : Math.min(i, n); }
}
