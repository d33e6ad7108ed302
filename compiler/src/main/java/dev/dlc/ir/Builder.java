package dev.dlc.ir;

import dev.dlc.diag.Span;
import dev.dlc.ops.ArgKind;
import dev.dlc.ops.ArgSpec;
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
 * Builds new nodes in a graph, typed through the op table as the checker types them: a pass
 * never states a node's type itself, so a node it builds cannot disagree with the verifier.
 * The helpers are the few that derivative rules keep needing (arithmetic, sum back to a
 * broadcast operand's shape, zeros).
 */
public final class Builder {
    private final Graph graph;
    private final Span where;

    public Builder(Graph graph) { this(graph, null); }

    /** A builder whose new nodes carry {@code where}: a pass rewriting a node keeps its source line. */
    public Builder(Graph graph, Span where) {
        this.graph = graph;
        this.where = where;
    }

    public Graph graph() { return graph; }

    /** A node's type and attributes as its op-table row binds them (defaults and fixed attributes filled in). */
    public record Typed(Type type, Map<String, Object> attrs) {}

    /**
     * Binds {@code args} and {@code attrs} to the row of {@code op} and infers the result type.
     * The verifier uses the same binding to re-infer recorded types.
     */
    public static Typed infer(String op, List<Node> args, Map<String, Object> attrs) throws ShapeError {
        if (op.equals(Scan.OP)) return new Typed(Scan.infer(args, attrs), attrs); // no row: its body is a graph
        var def = OpTable.forNode(op, args.size()).orElseThrow(() -> new ShapeError("unknown op '" + op + "'"));
        var named = new LinkedHashMap<String, Object>();
        int next = 0;
        for (ArgSpec spec : def.sig().args()) {
            if (spec.kind() == ArgKind.TENSOR) {
                if (next < args.size()) named.put(spec.name(), args.get(next++).type());
            } else if (spec.kind() == ArgKind.TENSOR_LIST) {
                var rest = new ArrayList<Type>();
                while (next < args.size()) rest.add(args.get(next++).type());
                named.put(spec.name(), rest);
            } else if (attrs.containsKey(spec.name()) && !def.fixed().containsKey(spec.name())) {
                named.put(spec.name(), attrs.get(spec.name()));
            }
        }
        var bound = def.bind(List.of(), named);
        var out = new LinkedHashMap<String, Object>();
        for (ArgSpec spec : def.sig().args())
            if (spec.kind() != ArgKind.TENSOR && spec.kind() != ArgKind.TENSOR_LIST && bound.has(spec.name()))
                out.put(spec.name(), bound.get(spec.name()));
        out.putAll(attrs); // a cast's dtype, which its row fixes
        return new Typed(def.infer(bound), out);
    }

    /** {@code op(args; attrs)}, typed by the op table; an ill-typed application is a bug in the caller. */
    public Node apply(String op, List<Node> args, Map<String, Object> attrs) {
        try {
            var t = infer(op, args, attrs);
            return graph.add(new Node.Apply(op, args, t.attrs(), t.type()), where);
        } catch (ShapeError e) {
            throw new IllegalStateException("building " + op + ": " + e.getMessage(), e);
        }
    }

    public Node apply(String op, Node... args) { return apply(op, List.of(args), Map.of()); }

    /** Part {@code i} of a node whose type is a tuple. */
    public Node project(Node tuple, int i) {
        return graph.add(new Node.Project(tuple, i, ((Type.Tuple) tuple.type()).parts().get(i)), null);
    }

    /** The scalar {@code v} in {@code like}'s dtype, broadcast where it is used. */
    public Node constant(double v, Node like) { return graph.add(new Node.Const(v, Type.tensor(dtype(like))), where); }

    public Node add(Node a, Node b) { return apply("add", a, b); }
    public Node sub(Node a, Node b) { return apply("sub", a, b); }
    public Node mul(Node a, Node b) { return apply("mul", a, b); }
    public Node div(Node a, Node b) { return apply("div", a, b); }
    public Node neg(Node a) { return apply("neg", a); }
    public Node mul(double c, Node a) { return mul(constant(c, a), a); }

    /** {@code where(cond, a, 0)}: {@code a} where the condition holds, else zero. */
    public Node select(Node cond, Node a) { return apply("where", cond, a, constant(0, a)); }

    public Node cast(Node x, DType d) { return dtype(x) == d ? x : apply(d.spelling(), List.of(x), Map.of("dtype", d.spelling())); }

    public Node zeros(Type.Tensor t) {
        return apply("zeros", List.of(), Map.of("shape", t.shape().dims(), "dtype", t.dtype().spelling()));
    }

    public Node reshape(Node x, Shape s) {
        return tensor(x).shape().equals(s) ? x : apply("reshape", List.of(x), Map.of("shape", s.dims()));
    }

    public Node broadcast(Node x, Shape s) {
        return tensor(x).shape().equals(s) ? x : apply("broadcast", List.of(x), Map.of("shape", s.dims()));
    }

    /** {@code sum(x, axes, keepdims)}; no axes: {@code x} itself. */
    public Node sum(Node x, List<Long> axes, boolean keepdims) {
        if (axes.isEmpty()) return x;
        return apply("sum", List.of(x), Map.of("axis", axes, "keepdims", keepdims));
    }

    /**
     * Sums a cotangent of a broadcast result back to the shape of one operand: the axes the
     * operand lacks (leading) or had as 1 were copied by broadcasting, so their contributions add.
     */
    public Node sumTo(Node g, Type.Tensor target) {
        var gs = tensor(g).shape();
        int lead = gs.rank() - target.rank();
        var axes = new ArrayList<Long>();
        for (int i = 0; i < gs.rank(); i++)
            if (i < lead || (isOne(target.dim(i - lead)) && !isOne(gs.dim(i)))) axes.add((long) i);
        return reshape(sum(g, axes, true), target.shape());
    }

    /** {@code x}'s shape with the given axes kept as size 1 (a reduction's result with keepdims). */
    public static Shape kept(Type.Tensor x, List<Integer> axes) {
        var dims = new ArrayList<>(x.shape().dims());
        for (int a : axes) dims.set(a, Dim.of(1));
        return Shape.of(dims);
    }

    public static Type.Tensor tensor(Node n) { return (Type.Tensor) n.type(); }
    public static DType dtype(Node n) { return tensor(n).dtype(); }
    private static boolean isOne(Dim d) { return d.isConst() && d.value() == 1; }
}
