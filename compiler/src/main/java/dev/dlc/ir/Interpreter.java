package dev.dlc.ir;

import dev.dlc.diag.Span;
import dev.dlc.ops.Bound;
import dev.dlc.ops.OpDef;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.ops.kernels.CounterRng;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference interpreter (the oracle, DESIGN.md decision 4): runs a graph node by node in
 * creation order, which is a topological order, with each op's cpu kernel from the op table.
 * Every result is fitted to its node's dtype: in {@link Precision#F32} floats round as the
 * dtype says after each op; in {@link Precision#F64} (the check mode) they stay doubles.
 *
 * <p>It lives in the compiler module, beside the IR it defines, because it needs nothing but
 * the IR and the op table; the runtime's executors can test against it without a cycle.
 */
public final class Interpreter {

    public enum Precision { F32, F64 }

    /**
     * @param training whether dropout drops (the IR of an inference forward still holds its dropout nodes)
     * @param seed     the seed of every random stream (dropout masks)
     */
    public record Options(Precision precision, boolean training, long seed) {
        public static Options f32() { return new Options(Precision.F32, false, 0); }
        public static Options f64() { return new Options(Precision.F64, false, 0); }
        public Options training(long seed) { return new Options(precision, true, seed); }
    }

    /** A failure while running a node, naming its op and source line. */
    public static final class Error extends RuntimeException {
        Error(String message, Throwable cause) { super(message, cause); }
    }

    private final Options options;
    private final Map<String, Tensor> inputs, params;

    private Interpreter(Options options, Map<String, Tensor> inputs, Map<String, Tensor> params) {
        this.options = options;
        this.inputs = inputs;
        this.params = params;
    }

    /**
     * Runs {@code g} with values for its inputs (by name) and parameters and buffers (by path);
     * returns one tensor per graph output. Every value must have its node's type exactly.
     */
    public static List<Tensor> run(Graph g, Map<String, Tensor> inputs, Map<String, Tensor> params, Options options) {
        var interp = new Interpreter(options, Map.copyOf(inputs), Map.copyOf(params));
        var env = new Env(null);
        interp.eval(g, env, 0);
        var out = new ArrayList<Tensor>();
        for (Node n : g.outputs()) out.addAll(env.get(n));
        return out;
    }

    /** Where a NaN or an infinity first appears in a run: the node and the graph that holds it. */
    public record Origin(Node node, Graph graph) {
        public Span span() { return graph.loc(node); }
    }

    private boolean watch;
    private Origin born;

    /**
     * Runs {@code g} as {@link #run} does and returns the first node, in program order, whose
     * value holds a NaN or an infinity (where a diverging loss came from); null when none does.
     */
    public static Origin firstNonFinite(Graph g, Map<String, Tensor> inputs, Map<String, Tensor> params, Options options) {
        var interp = new Interpreter(options, Map.copyOf(inputs), Map.copyOf(params));
        interp.watch = true;
        try {
            interp.eval(g, new Env(null), 0);
        } catch (Error e) {
            // A failing op after the first non-finite value does not change where it was born.
        }
        return interp.born;
    }

    private void watch(Graph g, Node n, List<Tensor> values) {
        if (born != null) return;
        for (Tensor t : values) {
            if (!t.dtype().isFloat()) continue;
            for (int i = 0; i < t.numel(); i++) {
                if (!Double.isFinite(t.at(i))) { born = new Origin(n, g); return; }
            }
        }
    }

    /** Node values, tensors or a tuple's parts; a scan body's environment sees its enclosing one. */
    private record Env(Env parent, Map<Node, List<Tensor>> values) {
        Env(Env parent) { this(parent, new IdentityHashMap<>()); }

        List<Tensor> get(Node n) {
            for (Env e = this; e != null; e = e.parent) {
                var v = e.values.get(n);
                if (v != null) return v;
            }
            throw new IllegalStateException("node used before it is computed: " + n);
        }

        Tensor tensor(Node n) { return get(n).getFirst(); }
    }

    /**
     * Evaluates every node of {@code g} not bound already. {@code scope} identifies this run of
     * the graph for random streams: 0 at the top, a fresh value for every step of every scan.
     */
    private void eval(Graph g, Env env, long scope) {
        var nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (env.values.containsKey(n)) continue;
            try {
                env.values.put(n, switch (n) {
                    case Node.Input in -> List.of(given(inputs.get(in.name()), in.type(), "input " + in.name()));
                    case Node.Param p -> List.of(given(params.get(p.path()), p.type(), "parameter " + p.path()));
                    case Node.Const c -> List.of(constant(c));
                    case Node.Apply a when Scan.is(a) -> scan(a, env, stream(scope, a, i));
                    case Node.Apply a -> apply(a, env, stream(scope, a, i));
                    case Node.Project p -> List.of(env.get(p.tuple()).get(p.index()));
                });
                if (watch) watch(g, n, env.values.get(n));
            } catch (Error e) {
                throw e;
            } catch (RuntimeException e) {
                throw new Error(where(g, n) + e.getMessage(), e);
            }
        }
    }

    /**
     * The random stream of node {@code index} of a graph run. A node's site names it (the checker
     * names every dropout; autodiff names the scans it builds after the forward scan they follow),
     * else its position does. At the top level that is the stream; inside a scan body it is mixed
     * with the step's scope, so every step draws afresh.
     */
    private static long stream(long scope, Node.Apply a, int index) {
        return CounterRng.stream(scope, a.site(index));
    }

    private Tensor given(Tensor t, Type.Tensor type, String what) {
        if (t == null) throw new IllegalArgumentException("no value for " + what);
        if (!t.type().equals(type)) throw new IllegalArgumentException(what + ": expected " + type + ", found " + t.type());
        return fit(t);
    }

    /** A scalar constant; NaN stands for a value the checker knew only at run time, which no run supplies yet. */
    private Tensor constant(Node.Const c) {
        if (Double.isNaN(c.value()))
            throw new IllegalArgumentException("a constant known only at run time (a config value without a default?) cannot be interpreted");
        return fit(Tensor.filled(c.type().dtype(), Tensor.shapeOf(c.type()), c.value()));
    }

    private List<Tensor> apply(Node.Apply a, Env env, long stream) {
        OpDef def = OpTable.forNode(a.op(), a.args().size())
                .orElseThrow(() -> new IllegalArgumentException("no primitive '" + a.op() + "'"));
        var args = a.args().stream().map(env::tensor).toList();
        var attrs = new HashMap<>(a.attrs());
        if (def.prim() == Prim.DROPOUT) {
            // Run-time facts, until the IR records them: the stage flag, the seed, this node's stream.
            attrs.putIfAbsent("training", options.training());
            attrs.put("seed", options.seed());
            attrs.put("site", stream);
        }
        var results = def.cpu().run(args, new Bound(a.op(), attrs), a.type());
        var parts = a.type() instanceof Type.Tuple t ? t.parts() : List.of(a.type());
        if (results.size() != parts.size()) throw new IllegalStateException(a.op() + ": kernel gave " + results.size() + " results for " + a.type());
        var out = new ArrayList<Tensor>();
        for (int i = 0; i < parts.size(); i++) {
            if (!results.get(i).type().equals(parts.get(i)))
                throw new IllegalStateException(a.op() + ": kernel gave " + results.get(i).type() + " for " + parts.get(i));
            out.add(fit(results.get(i)));
        }
        return out;
    }

    /**
     * Runs a scan (see {@link Scan}): the body once per step, each slice of the sliced arguments
     * along the axis, threading the state, from the last step down when reversed; stacks each
     * per-step output along the same axis (or last, when it has fewer axes). Returns (ys...,
     * final state...). Step t's random streams derive from the scan's stream and t, whatever the
     * direction, so a reverse scan over the same steps under the same site draws the same masks.
     */
    private List<Tensor> scan(Node.Apply a, Env env, long stream) {
        var s = Scan.of(a);
        var xs = s.xs().stream().map(env::tensor).toList();
        List<Tensor> state = s.init().stream().map(env::tensor).toList();
        int steps = xs.getFirst().dim(Scan.sliceAxis(s.axis(), xs.getFirst().rank()));
        var ys = new Tensor[s.stacked()][steps];
        for (int k = 0; k < steps; k++) {
            int t = s.reverse() ? steps - 1 - k : k;
            var step = new Env(env);
            for (int i = 0; i < xs.size(); i++)
                step.values.put(s.slices().get(i), List.of(select(xs.get(i), Scan.sliceAxis(s.axis(), xs.get(i).rank()), t)));
            for (int i = 0; i < state.size(); i++) step.values.put(s.state().get(i), List.of(state.get(i)));
            eval(s.body(), step, CounterRng.stepScope(stream, t));
            for (int i = 0; i < s.stacked(); i++) ys[i][t] = step.tensor(s.ys().get(i));
            state = s.next().stream().map(step::tensor).toList();
        }
        var types = ((Type.Tuple) a.type()).parts();
        var out = new ArrayList<Tensor>();
        for (int i = 0; i < s.stacked(); i++) {
            var type = (Type.Tensor) types.get(i);
            var axis = (long) Scan.stackAxis(s.axis(), type.rank() - 1);
            out.addAll(OpTable.def(Prim.STACK).cpu().run(List.of(ys[i]), new Bound("stack", Map.of("axis", axis)), type));
        }
        out.addAll(state);
        return out;
    }

    /** x[..., i, ...] along {@code axis}, that axis removed. */
    private static Tensor select(Tensor x, int axis, int i) {
        int[] s = x.shape();
        int n = s[axis], inner = 1;
        for (int k = axis + 1; k < s.length; k++) inner *= s[k];
        var shape = new int[s.length - 1];
        for (int k = 0, j = 0; k < s.length; k++) if (k != axis) shape[j++] = s[k];
        int in = inner;
        return Tensor.build(x.dtype(), shape, j -> x.at((j / in) * n * in + i * in + j % in));
    }

    private Tensor fit(Tensor t) { return t.fit(options.precision() == Precision.F64); }

    private static String where(Graph g, Node n) {
        Span s = g.loc(n);
        String what = n instanceof Node.Apply a ? a.op() + ": " : "";
        return (s == null ? "" : s.source().path() + ":" + s.line() + ": ") + what;
    }
}
