package dev.dlc.ir;

import dev.dlc.ops.ShapeError;
import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one IR node that is not an op-table row, because it holds a graph:
 * <pre>  scan(xs_1..xs_q, init_1..init_k) {axis, body, sliced = q, stacked = p, reverse, site}</pre>
 * Step t binds the body's placeholders (its {@code Input}s named {@code scan.*}, in creation
 * order: q slices, then k state parts) to {@code xs_i[..., t, ...]} and the state, and reads
 * the body's outputs (y_1..y_p, state'_1..state'_k). The result is (ys_1..ys_p, final state...):
 * each ys_i stacks its y_i over the steps. {@code reverse} runs t from the last step down; ys
 * stay indexed by t. {@code site} names the scan's random streams (else its position; see
 * {@link Interpreter}). The checker's scans have q = p = 1; autodiff builds the others.
 *
 * <p>A body refers directly to the enclosing graph's nodes (parameters, outer values): they
 * are not among its nodes. {@link #reads} lists them.
 */
public record Scan(Node.Apply node, Graph body, int axis, int sliced, int stacked, boolean reverse,
                   List<Node> slices, List<Node> state) {

    public static final String OP = "scan";

    public static boolean is(Node n) { return n instanceof Node.Apply a && a.op().equals(OP); }

    /** A scan node taken apart; its attributes are those {@link #infer} accepted. */
    public static Scan of(Node.Apply a) {
        var body = (Graph) a.attrs().get("body");
        int q = count(a.attrs(), "sliced");
        var ph = placeholders(body);
        return new Scan(a, body, Math.toIntExact((Long) a.attrs().get("axis")), q, count(a.attrs(), "stacked"),
                Boolean.TRUE.equals(a.attrs().get("reverse")), ph.subList(0, q), ph.subList(q, ph.size()));
    }

    public List<Node> xs() { return node.args().subList(0, sliced); }
    public List<Node> init() { return node.args().subList(sliced, node.args().size()); }
    /** The body's per-step outputs that are stacked. */
    public List<Node> ys() { return body.outputs().subList(0, stacked); }
    /** The body's next state. */
    public List<Node> next() { return body.outputs().subList(stacked, body.outputs().size()); }

    /** The axis a sliced value of this rank is cut along; the stacked ones are built along the same. */
    public static int sliceAxis(int axis, int rank) { return Math.min(axis, rank - 1); }
    public static int stackAxis(int axis, int rank) { return Math.min(axis, rank); }

    /** The body's placeholders in creation order: the slices, then the state's parts. */
    public static List<Node> placeholders(Graph body) {
        return body.nodes().stream().filter(n -> n instanceof Node.Input in && in.name().startsWith("scan.")).toList();
    }

    /** The shape rule: (ys_1..ys_p, state...) from the arguments' and the body's types. */
    public static Type infer(List<Node> args, Map<String, Object> attrs) throws ShapeError {
        if (!(attrs.get("body") instanceof Graph body) || !(attrs.get("axis") instanceof Long axisL) || axisL < 0)
            throw new ShapeError("scan: needs a body and a non-negative axis");
        int axis = Math.toIntExact(axisL), q = count(attrs, "sliced"), p = count(attrs, "stacked");
        var ph = placeholders(body);
        if (q < 1 || args.size() < q || ph.size() != args.size())
            throw new ShapeError("scan: " + args.size() + " arguments (" + q + " sliced) for a body with " + ph.size() + " placeholders");
        Dim steps = null;
        for (int i = 0; i < q; i++) {
            if (!(args.get(i).type() instanceof Type.Tensor x) || x.rank() == 0) throw new ShapeError("scan: a sliced argument must have an axis, found " + args.get(i).type());
            var dims = new ArrayList<>(x.shape().dims());
            Dim n = dims.remove(sliceAxis(axis, dims.size()));
            if (steps != null && !steps.equals(n)) throw new ShapeError("scan: sliced arguments of " + steps + " and " + n + " steps");
            steps = n;
            expect(ph.get(i).type(), x.withShape(x.shape().withDims(dims)), "slice " + i);
        }
        for (int i = q; i < args.size(); i++) expect(ph.get(i).type(), args.get(i).type(), "state part " + (i - q));
        var outs = body.outputs();
        if (outs.size() != p + args.size() - q) throw new ShapeError("scan: the body returns " + outs.size() + " values, expected " + (p + args.size() - q));
        var types = new ArrayList<Type>();
        for (int i = 0; i < p; i++) {
            if (!(outs.get(i).type() instanceof Type.Tensor y)) throw new ShapeError("scan: a stacked output must be a tensor");
            var dims = new ArrayList<>(y.shape().dims());
            dims.add(stackAxis(axis, dims.size()), steps);
            types.add(y.withShape(y.shape().withDims(dims)));
        }
        for (int i = p; i < outs.size(); i++) {
            expect(outs.get(i).type(), args.get(q + i - p).type(), "next state part " + (i - p));
            types.add(outs.get(i).type());
        }
        return new Type.Tuple(types);
    }

    /** The enclosing graph's nodes a body reads, in first-use order (its nested bodies' reads included). */
    public static List<Node> reads(Graph body) {
        Set<Node> inner = Collections.newSetFromMap(new IdentityHashMap<>());
        inner.addAll(body.nodes());
        var out = new ArrayList<Node>();
        for (Node n : body.nodes()) for (Node u : uses(n)) if (inner.add(u)) out.add(u); // identity: outer nodes may be equal records
        return out;
    }

    /** The values a node reads: its arguments, and for a scan also what its body reads from outside it. */
    public static List<Node> uses(Node n) {
        return switch (n) {
            case Node.Apply a when a.attrs().get("body") instanceof Graph body -> {
                var out = new ArrayList<>(a.args());
                out.addAll(reads(body));
                yield out;
            }
            case Node.Apply a -> a.args();
            case Node.Project p -> List.of(p.tuple());
            default -> List.of();
        };
    }

    private static int count(Map<String, Object> attrs, String key) {
        return attrs.get(key) instanceof Long l ? Math.toIntExact(l) : 1;
    }

    private static void expect(Type found, Type expected, String what) throws ShapeError {
        if (!found.equals(expected)) throw new ShapeError("scan: " + what + " is " + found + " in the body but " + expected + " outside");
    }
}
