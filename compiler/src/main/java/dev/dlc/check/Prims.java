package dev.dlc.check;

import dev.dlc.ast.Expr;
import dev.dlc.diag.Span;
import dev.dlc.ir.Node;
import dev.dlc.ops.ArgKind;
import dev.dlc.ops.ArgSpec;
import dev.dlc.ops.Bound;
import dev.dlc.ops.OpDef;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.ShapeError;
import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calls of primitives: the bridge between evaluated values and the op table. It binds the
 * arguments to the op's signature, asks the op's shape rule for the result type, records
 * the IR node and counts the FLOPs. Functions of config scalars ({@code sqrt(D)}) are
 * computed at compile time instead.
 */
final class Prims {
    private final Checker ck;

    Prims(Checker ck) { this.ck = ck; }

    /** A primitive called by its DL name. */
    Val call(Callee.Prim p, List<Val.Arg> args, Span span, Ctx c) {
        if (args.stream().noneMatch(a -> a.value() instanceof Val.Tensor || a.value() instanceof Val.ListV)) {
            Val v = ScalarMath.apply(p.name(), args);
            if (v != null) return v;
        }
        if (c.mode() == Ctx.Mode.CONFIG) {
            ck.diags.error(span, p.name() + " works on tensors, which exist only in forward, fn and update code");
            return new Val.Bad();
        }
        if (c.mode() == Ctx.Mode.HOST && args.stream().anyMatch(a -> !(a.value() instanceof Val.Tensor) && a.value() instanceof Val.Bad))
            return new Val.Bad();
        return bindAndApply(p.name(), p.overloads(), args, span, c);
    }

    /** A primitive by its DL name, called by the checker itself (slices and reshapes of indexing). */
    Val apply(String name, List<Val.Arg> args, Span span, Ctx c) {
        return bindAndApply(name, OpTable.lookup(name), args, span, c);
    }

    /** An operator by its spelling ({@code +}, {@code @}, {@code not}); unary when it has one operand. */
    Val operator(String symbol, List<Val.Arg> args, Span span, Ctx c) {
        var def = args.size() == 1 ? OpTable.unary(symbol) : OpTable.binary(symbol);
        return bindAndApply(symbol, def.map(List::of).orElse(List.of()), args, span, c);
    }

    /**
     * Argument mistakes that no overload can fix, reported at the argument: an unknown
     * keyword (with a suggestion), a keyword given twice, a positional argument after a
     * keyword, an optional argument that was not given, a lone tensor where a list is expected.
     */
    private boolean argumentsWellFormed(String name, List<OpDef> overloads, List<Val.Arg> args) {
        var known = new java.util.TreeSet<String>();
        overloads.forEach(d -> d.sig().args().forEach(a -> known.add(a.name())));
        var seen = new java.util.HashSet<String>();
        boolean keyword = false;
        for (Val.Arg a : args) {
            if (a.value() instanceof Val.None) {
                ck.diags.error(a.span(), name + ": this optional argument was not given; test it first, e.g. `if mask then ... else ...`");
                return false;
            }
            if (a.keyword() == null) {
                if (keyword) { ck.diags.error(a.span(), name + ": a positional argument cannot follow keyword arguments"); return false; }
                continue;
            }
            keyword = true;
            if (!known.contains(a.keyword())) {
                ck.diags.error(a.span(), name + ": unknown argument '" + a.keyword() + "'" + Names.didYouMean(a.keyword(), known));
                return false;
            }
            if (!seen.add(a.keyword())) { ck.diags.error(a.span(), name + ": argument '" + a.keyword() + "' is given twice"); return false; }
        }
        var first = overloads.isEmpty() ? null : overloads.getFirst().sig().args();
        if (first != null && !first.isEmpty() && first.getFirst().kind() == ArgKind.TENSOR_LIST && !args.isEmpty()
                && args.getFirst().keyword() == null && args.getFirst().value() instanceof Val.Tensor) {
            ck.diags.error(args.getFirst().span(), name + ": expects a list of tensors first, e.g. " + name + "([a, b], axis = 1)");
            return false;
        }
        return true;
    }

    private Val bindAndApply(String name, List<OpDef> overloads, List<Val.Arg> args, Span span, Ctx c) {
        if (!argumentsWellFormed(name, overloads, args)) return new Val.Bad();
        ShapeError first = null;
        for (OpDef def : overloads) {
            try {
                var positional = new ArrayList<Object>();
                var named = new LinkedHashMap<String, Object>();
                var tensorNodes = new LinkedHashMap<String, List<Node>>();
                if (!convert(def, args, positional, named, tensorNodes, span, c)) return new Val.Bad();
                if (hasArg(def, "training") && !named.containsKey("training"))
                    named.put("training", !Boolean.FALSE.equals(c.training().value()));
                Bound bound = def.bind(positional, named);
                Type result = def.infer(bound);
                return record(def, bound, result, tensorNodes, span, c);
            } catch (ShapeError e) {
                if (first == null) first = e;
            } catch (ClassCastException | IllegalArgumentException | ArithmeticException | dev.dlc.types.DimError e) {
                if (first == null) first = new ShapeError(name + ": " + e.getMessage());
            }
        }
        String message = first == null ? name + ": no such primitive" : first.getMessage();
        if (!(ck.dependsOnConfig(args.stream().map(Val.Arg::value).toList()) && ck.mentionsConfig(message)))
            ck.diags.error(span, message);
        return new Val.Bad();
    }

    private static boolean hasArg(OpDef def, String name) {
        return def.sig().args().stream().anyMatch(a -> a.name().equals(name));
    }

    /**
     * Converts evaluated arguments to the op table's values. A number where a tensor is
     * expected becomes a scalar constant of the dtype of the call's first tensor.
     */
    private boolean convert(OpDef def, List<Val.Arg> args, List<Object> positional, Map<String, Object> named,
                            Map<String, List<Node>> nodes, Span span, Ctx c) throws ShapeError {
        // A number takes the dtype of the call's first non-bool tensor: where(mask, ids, 0) makes 0 an i32.
        var tensors = args.stream().map(Val.Arg::value).filter(v -> v instanceof Val.Tensor).map(v -> ((Val.Tensor) v).type()).toList();
        Type.Tensor like = tensors.stream().filter(t -> !t.dtype().isBool()).findFirst().orElse(tensors.isEmpty() ? null : tensors.getFirst());
        int pos = 0;
        for (Val.Arg a : args) {
            ArgSpec spec = a.keyword() == null
                    ? (pos < def.sig().args().size() ? def.sig().args().get(pos) : null)
                    : def.sig().args().stream().filter(s -> s.name().equals(a.keyword())).findFirst().orElse(null);
            if (a.keyword() == null) pos++;
            Val v = a.value();
            if (spec != null && spec.kind() == ArgKind.TENSOR && Scalars.isNumber(v)) {
                if (like == null) throw new ShapeError(def.name() + ": argument '" + spec.name() + "' expects a tensor, found " + Val.describe(v));
                v = ck.eval.constant(v, like, a.span(), def.name(), c);
                if (v instanceof Val.Bad) return false;
            }
            Object o = value(v, spec);
            if (o == null) throw new ShapeError(def.name() + ": argument " + (spec == null ? "" : "'" + spec.name() + "' ")
                    + "cannot be " + Val.describe(v));
            if (spec != null) nodes.put(spec.name(), nodesOf(v));
            if (a.keyword() == null) positional.add(o); else named.put(a.keyword(), o);
        }
        return true;
    }

    private static List<Node> nodesOf(Val v) {
        return switch (v) {
            case Val.Tensor t -> t.node() == null ? List.of() : List.of(t.node());
            case Val.ListV l -> l.items().stream().filter(i -> i instanceof Val.Tensor t && t.node() != null)
                    .map(i -> ((Val.Tensor) i).node()).toList();
            default -> List.of();
        };
    }

    /** A value as the op table wants it; null when it has no such form. */
    private static Object value(Val v, ArgSpec spec) {
        return switch (v) {
            case Val.Tensor t -> t.type();
            case Val.Int i -> i.value() == null ? Long.valueOf(0) : i.value().isConst() ? (Object) i.value().value() : i.value();
            case Val.Real r -> r.value() == null ? Double.NaN : r.value();
            case Val.Bool b -> b.value() == null ? Boolean.TRUE : b.value();
            case Val.Str s -> s.value();
            case Val.ListV l -> {
                var out = new ArrayList<Object>();
                for (Val item : l.items()) {
                    Object o = value(item, null);
                    if (o == null) yield null;
                    out.add(o);
                }
                yield out;
            }
            default -> null;
        };
    }

    private Val record(OpDef def, Bound bound, Type result, Map<String, List<Node>> nodes, Span span, Ctx c) {
        var args = new ArrayList<Node>();
        var attrs = new LinkedHashMap<String, Object>();
        for (ArgSpec s : def.sig().args()) {
            if (s.kind() == ArgKind.TENSOR || s.kind() == ArgKind.TENSOR_LIST) args.addAll(nodes.getOrDefault(s.name(), List.of()));
            else if (bound.has(s.name())) attrs.put(s.name(), bound.get(s.name()));
        }
        def.fixed().forEach(attrs::put);
        // Each dropout application draws its own stream, named here once: the backward pass
        // asks for the same mask by name, and passes that move nodes do not change it.
        if (def.prim() == dev.dlc.ops.Prim.DROPOUT && !attrs.containsKey("site")) attrs.put("site", ck.nextDropoutSite());
        ck.countFlops(def.flops() == null ? Dim.of(0) : def.flops().flops(bound, result));
        Node node = ck.graph.add(new Node.Apply(def.name(), args, attrs, result), span);
        return switch (result) {
            case Type.Tensor t -> new Val.Tensor(t, node);
            case Type.Tuple tu -> {
                var parts = new ArrayList<Val>();
                for (int i = 0; i < tu.parts().size(); i++)
                    parts.add(new Val.Tensor((Type.Tensor) tu.parts().get(i), ck.graph.add(new Node.Project(node, i, tu.parts().get(i)), span)));
                yield new Val.TupleV(parts);
            }
            default -> new Val.Bad();
        };
    }

    /** A scalar constant tensor ({@code f32[]}); NaN stands for a value known only at run time. */
    Val constant(double value, DType dtype, Span span, Ctx c) {
        var t = new Type.Tensor(dtype, Shape.SCALAR);
        return new Val.Tensor(t, ck.graph.add(new Node.Const(value, t), span));
    }

    // ================================================================== indexing

    /**
     * {@code x[i, a:b:s, ...]}: one slice per indexed axis, then a reshape that drops the
     * axes indexed by a single position. `...` stands for the axes not mentioned.
     */
    Val index(Val.Tensor t, Expr.Index ix, Ctx c) {
        var items = ix.items();
        int ellipses = (int) items.stream().filter(i -> i instanceof Expr.IndexItem.All).count();
        Shape s = t.type().shape();
        if (ellipses > 1) { ck.diags.error(ix.span(), "index: '...' may appear only once"); return new Val.Bad(); }
        int explicit = items.size() - ellipses;
        if (explicit > s.rank() || (ellipses == 0 && s.hasRest())) {
            ck.diags.error(ix.span(), "index: " + explicit + " indices for " + t.type() + (s.hasRest() ? " whose rank is not known; use '...'" : ""));
            return new Val.Bad();
        }
        // Axes are counted from the end after an ellipsis, so that shapes with unknown leading dimensions work.
        Val x = t;
        var dropped = new ArrayList<Integer>();
        int axis = 0;
        boolean afterEllipsis = false;
        for (int k = 0; k < items.size(); k++) {
            var item = items.get(k);
            if (item instanceof Expr.IndexItem.All) { afterEllipsis = true; axis = s.rank() - (items.size() - 1 - k); continue; }
            long ax = afterEllipsis ? axis - s.rank() : axis;
            switch (item) {
                case Expr.IndexItem.Point p -> {
                    Val i = ck.eval.expr(p.index(), c);
                    if (!(i instanceof Val.Int iv)) {
                        if (!(i instanceof Val.Bad)) ck.diags.error(p.span(), "index: expected an Int index, found " + Val.describe(i)
                                + (i instanceof Val.Tensor ? "; use gather(x, index, axis) to index with a tensor" : ""));
                        return new Val.Bad();
                    }
                    Dim size = s.dim(axis);
                    // An index known only when unrolled (or symbolic) still selects one element: its type is known.
                    Val start = !iv.known() ? Val.Int.of(0) : iv.get() < 0 && size.isConst() ? Val.Int.of(size.value() + iv.get()) : iv;
                    // x[:, T] is out of range whatever T is: index - size is a known number >= 0.
                    boolean pastEnd = iv.value() != null && !size.isConst() && iv.value().minus(size).isConst() && iv.value().minus(size).value() >= 0;
                    if (pastEnd || iv.known() && size.isConst() && (iv.get() >= size.value() || iv.get() < -size.value())) {
                        ck.diags.error(p.span(), "index: " + iv.value() + " is out of range for dimension " + axis + " of " + t.type());
                        return new Val.Bad();
                    }
                    // x[-1] on a symbolic size: the slice runs from -1 to the end.
                    Val end = start instanceof Val.Int si && si.known() && si.get() == -1 ? null : new Val.Int(((Val.Int) start).value().plus(Dim.of(1)));
                    x = slice(x, ax, start, end, Val.Int.of(1), p.span(), c);
                    dropped.add(axis);
                }
                case Expr.IndexItem.Slice sl -> {
                    Val lo = sl.lo() == null ? Val.Int.of(0) : ck.eval.expr(sl.lo(), c);
                    Val hi = sl.hi() == null ? null : ck.eval.expr(sl.hi(), c);
                    Val step = sl.step() == null ? Val.Int.of(1) : ck.eval.expr(sl.step(), c);
                    if (sl.lo() != null || sl.hi() != null || sl.step() != null) x = slice(x, ax, lo, hi, step, sl.span(), c);
                }
                case Expr.IndexItem.All a -> {}
            }
            if (x instanceof Val.Bad) return x;
            axis++;
        }
        if (dropped.isEmpty()) return x;
        var cur = ((Val.Tensor) x).type().shape();
        if (cur.hasRest()) return reshapeRest(x, dropped, ix.span(), c);
        return apply("reshape", List.of(new Val.Arg(null, x, ix.span()), new Val.Arg("shape", listOfDims(cur, dropped), ix.span())), ix.span(), c);
    }

    private Val slice(Val x, long axis, Val start, Val end, Val step, Span span, Ctx c) {
        var args = new ArrayList<Val.Arg>(List.of(new Val.Arg(null, x, span), new Val.Arg("axis", Val.Int.of(axis), span),
                new Val.Arg("start", start, span), new Val.Arg("step", step, span)));
        if (end != null) args.add(new Val.Arg("end", end, span));
        return apply("slice", args, span, c);
    }

    private static Val listOfDims(Shape s, List<Integer> dropped) {
        var items = new ArrayList<Val>();
        for (int i = 0; i < s.rank(); i++) if (!dropped.contains(i)) items.add(new Val.Int(s.dim(i)));
        return new Val.ListV(items);
    }

    /** With unknown leading dimensions the result type is computed here; the IR for it is built for concrete shapes only. */
    private Val reshapeRest(Val x, List<Integer> dropped, Span span, Ctx c) {
        var t = ((Val.Tensor) x).type();
        var dims = new ArrayList<Dim>();
        for (int i = 0; i < t.rank(); i++) if (!dropped.contains(i)) dims.add(t.dim(i));
        return new Val.Tensor(t.withShape(new Shape(t.shape().rest(), dims)), null);
    }
}
