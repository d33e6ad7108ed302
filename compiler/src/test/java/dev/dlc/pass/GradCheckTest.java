package dev.dlc.pass;

import static dev.dlc.ops.Prim.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Node;
import dev.dlc.ir.Verifier;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every primitive's VJP against central finite differences in f64 (STYLE.md §6, JAX's
 * LAX_GRAD_OPS): one row per primitive with its inputs' domains and a tolerance. The loss is
 * {@code sum(op(x...) * c)} for a fixed random cotangent {@code c}, so every output element counts.
 */
class GradCheckTest {
    static final double EPS = 1e-6;

    /** Where an input's values are drawn from. */
    enum Domain {
        REAL, POSITIVE, AWAY_FROM_ZERO, BOOL, INDEX3;

        double draw(Random r) {
            return switch (this) {
                case REAL -> r.nextDouble(-2, 2);
                case POSITIVE -> r.nextDouble(0.5, 2);
                case AWAY_FROM_ZERO -> (r.nextBoolean() ? 1 : -1) * r.nextDouble(0.2, 2);
                case BOOL -> r.nextBoolean() ? 1 : 0;
                case INDEX3 -> r.nextInt(3);
            };
        }

        DType dtype() { return this == BOOL ? DType.BOOL : this == INDEX3 ? DType.I32 : DType.F64; }
    }

    record In(Domain domain, long... shape) {
        Type.Tensor type() { return Type.tensor(domain.dtype(), shape); }
    }

    /**
     * A row: apply {@code op} (its IR name) with {@code attrs} to inputs drawn from their domains.
     * {@code differentiable} false: no gradient may flow, and a float input reaching the loss
     * only through the op must be reported naming it.
     */
    record GradSpec(Prim prim, String op, Map<String, Object> attrs, double tol, boolean differentiable, List<In> ins) {
        @Override public String toString() { return op + attrs + ins.stream().map(i -> i.type().toString()).toList(); }
    }

    static GradSpec row(Prim p, String op, Map<String, Object> attrs, double tol, In... ins) {
        return new GradSpec(p, op, attrs, tol, true, List.of(ins));
    }

    static GradSpec none(Prim p, String op, Map<String, Object> attrs, In... ins) {
        return new GradSpec(p, op, attrs, 0, false, List.of(ins));
    }

    static In real(long... s) { return new In(Domain.REAL, s); }
    static In pos(long... s) { return new In(Domain.POSITIVE, s); }
    static In away(long... s) { return new In(Domain.AWAY_FROM_ZERO, s); }
    static In bool(long... s) { return new In(Domain.BOOL, s); }
    static In index(long... s) { return new In(Domain.INDEX3, s); }
    static List<Dim> dims(long... s) { return Arrays.stream(s).mapToObj(Dim::of).toList(); }
    static List<Long> longs(long... s) { return Arrays.stream(s).boxed().toList(); }

    static final double TOL = 1e-6;
    static final Map<String, Object> NO = Map.of();

    static final List<GradSpec> ROWS = List.of(
        row(EXP, "exp", NO, TOL, real(2, 3)), row(LOG, "log", NO, TOL, pos(2, 3)),
        row(SQRT, "sqrt", NO, TOL, pos(2, 3)), row(RSQRT, "rsqrt", NO, TOL, pos(2, 3)),
        row(TANH, "tanh", NO, TOL, real(2, 3)), row(SIGMOID, "sigmoid", NO, TOL, real(2, 3)),
        row(RELU, "relu", NO, TOL, away(2, 3)), row(SIN, "sin", NO, TOL, real(2, 3)),
        row(COS, "cos", NO, TOL, real(2, 3)), row(ABS, "abs", NO, TOL, away(2, 3)),
        row(NEG, "neg", NO, TOL, real(2, 3)),
        none(SIGN, "sign", NO, real(3)), none(NOT, "not", NO, bool(3)),

        row(ADD, "add", NO, TOL, real(2, 3), real(3)), row(SUB, "sub", NO, TOL, real(2, 1), real(1, 3)),
        row(MUL, "mul", NO, TOL, real(2, 3), real(2, 1)), row(DIV, "div", NO, TOL, real(2, 3), away(3)),
        row(POW, "pow", NO, 1e-5, pos(2, 3), real(3)),
        row(MAXIMUM, "max", NO, TOL, real(2, 3), real(3)), row(MINIMUM, "min", NO, TOL, real(2, 1), real(2, 3)),
        none(LT, "lt", NO, real(3), real(3)), none(LE, "le", NO, real(3), real(3)),
        none(GT, "gt", NO, real(3), real(3)), none(GE, "ge", NO, real(3), real(3)),
        none(EQ, "eq", NO, real(3), real(3)), none(NE, "ne", NO, real(3), real(3)),
        none(AND, "and", NO, bool(3), bool(3)), none(OR, "or", NO, bool(3), bool(3)),
        row(WHERE, "where", NO, TOL, bool(2, 3), real(2, 3), real(3)),
        row(MASKED_FILL, "masked_fill", Map.of("value", 1.5), TOL, real(2, 3), bool(3)),

        row(SUM, "sum", Map.of("axis", longs(1)), TOL, real(2, 3, 4)), row(SUM, "sum", NO, TOL, real(2, 3)),
        row(MEAN, "mean", Map.of("axis", longs(0, 2), "keepdims", true), TOL, real(2, 3, 4)),
        row(MAX, "max", Map.of("axis", longs(0)), TOL, real(3, 4)), row(MIN, "min", NO, TOL, real(3, 4)),
        row(LOGSUMEXP, "logsumexp", Map.of("axis", longs(-1)), TOL, real(2, 5)),
        none(ARGMAX, "argmax", NO, real(2, 3)), none(ARGMIN, "argmin", NO, real(2, 3)),
        row(SOFTMAX, "softmax", NO, TOL, real(2, 4)), row(LOG_SOFTMAX, "log_softmax", Map.of("axis", 0L), TOL, real(3, 2)),

        row(MATMUL, "matmul", NO, TOL, real(2, 3), real(3, 4)), row(MATMUL, "matmul", NO, TOL, real(2, 2, 3), real(3, 4)),
        row(MATMUL, "matmul", NO, TOL, real(3), real(2, 3, 4)), row(MATMUL, "matmul", NO, TOL, real(2, 3), real(3)),
        row(MATMUL, "matmul", NO, TOL, real(3), real(3)),

        row(CONV2D, "conv2d", NO, TOL, real(2, 2, 4, 4), real(3, 2, 2, 2)),
        row(CONV2D, "conv2d", Map.of("stride", 2L, "padding", 1L), TOL, real(1, 2, 5, 4), real(2, 2, 3, 2)),
        row(CONV2D, "conv2d", Map.of("dilation", longs(2, 1), "padding", longs(0, 1)), TOL, real(1, 1, 5, 4), real(2, 1, 2, 3)),
        // strided input gradients run as phases: taps-free phases (1 × 1 at stride 2, 2 × 2 at stride 3), uneven padding
        row(CONV2D, "conv2d", Map.of("stride", 2L), TOL, real(2, 3, 5, 6), real(2, 3, 1, 1)),
        row(CONV2D, "conv2d", Map.of("stride", longs(3, 2), "padding", longs(1, 2)), TOL, real(1, 2, 7, 6), real(2, 2, 2, 5)),
        row(CONV2D, "conv2d", Map.of("groups", 2L, "stride", longs(1, 2)), TOL, real(1, 4, 3, 5), real(4, 2, 2, 2)),
        row(AVG_POOL2D, "avg_pool2d", Map.of("kernel", 2L), TOL, real(2, 2, 4, 4)),
        // windows that tile the input, with rows and columns left over
        row(AVG_POOL2D, "avg_pool2d", Map.of("kernel", longs(2, 3)), TOL, real(1, 2, 5, 7)),
        row(CONV2D, "conv2d", Map.of("padding", 2L), TOL, real(2, 1, 6, 5), real(2, 1, 5, 5)),
        row(MAX_POOL2D, "max_pool2d", Map.of("kernel", 2L), TOL, real(2, 2, 4, 4)),
        row(MAX_POOL2D, "max_pool2d", Map.of("kernel", longs(3, 2), "stride", longs(2, 1), "padding", 1L), TOL, real(1, 2, 5, 4)),
        row(MAX_POOL2D, "max_pool2d", Map.of("kernel", 3L, "stride", 2L, "padding", 1L), TOL, real(2, 2, 6, 6)),
        row(MAX_POOL2D, "max_pool2d", Map.of("kernel", 2L, "stride", 3L), TOL, real(1, 2, 7, 8)),
        row(MAX_POOL2D_GRAD, "max_pool2d_grad", Map.of("kernel", 3L, "stride", 2L, "padding", 1L), TOL, real(1, 2, 5, 6), real(1, 2, 3, 3)),
        row(MAX_POOL2D_GRAD, "max_pool2d_grad", Map.of("kernel", 2L), TOL, real(2, 2, 4, 4), real(2, 2, 2, 2)),
        row(AVG_POOL2D, "avg_pool2d", Map.of("kernel", 3L, "stride", 2L, "padding", 1L), TOL, real(1, 2, 5, 6)),

        row(RESHAPE, "reshape", Map.of("shape", dims(3, 2)), TOL, real(2, 3)),
        row(FLATTEN, "flatten", NO, TOL, real(2, 3, 2)),
        row(TRANSPOSE, "transpose", Map.of("a", 0L, "b", 2L), TOL, real(2, 3, 4)),
        row(PERMUTE, "permute", Map.of("axes", longs(2, 0, 1)), TOL, real(2, 3, 4)),
        row(FLIP, "flip", Map.of("axes", longs(0, 2)), TOL, real(2, 3, 4)),
        row(BROADCAST, "broadcast", Map.of("shape", dims(2, 3, 4)), TOL, real(3, 1)),
        row(CONCAT, "concat", Map.of("axis", 1L), TOL, real(2, 3), real(2, 2)),
        row(STACK, "stack", Map.of("axis", 1L), TOL, real(2, 3), real(2, 3)),
        row(SPLIT, "split", Map.of("sizes", longs(2, 3), "axis", 0L), TOL, real(5, 2)),
        row(SLICE, "slice", Map.of("axis", 0L, "start", Dim.of(1), "end", Dim.of(4)), TOL, real(6, 2)),
        row(SLICE, "slice", Map.of("axis", 1L, "start", Dim.of(1), "step", 3L), TOL, real(2, 6)),
        row(SLICE, "slice", Map.of("axis", 0L, "start", Dim.of(-5), "end", Dim.of(6), "step", 2L), TOL, real(6, 2)),
        row(PAD, "pad", Map.of("pads", longs(1, 2, 0, 1)), TOL, real(2, 3)),
        row(PAD, "pad", Map.of("pads", longs(-1, 1)), TOL, real(2, 3)),
        row(GATHER, "gather", Map.of("axis", 0L), TOL, real(3, 4), index(2, 4)),
        row(SCATTER_ADD, "scatter_add", Map.of("axis", 0L), TOL, real(3, 4), index(2, 4), real(2, 4)),
        none(ONE_HOT, "one_hot", Map.of("K", Dim.of(3)), index(4)),
        row(EMBEDDING, "embedding", NO, TOL, real(3, 2), index(2, 2)),

        row(DROPOUT, "dropout", Map.of("p", 0.3, "site", 7L), TOL, real(2, 3)),      // inference: the identity; training: AutodiffPassTest
        row(CAST, "f32", Map.of("dtype", "f32"), TOL, real(2, 3)), none(CAST, "f64", Map.of("dtype", "f64"), index(3)),
        none(STOP_GRADIENT, "stop_gradient", NO, real(3)),
        none(ZEROS, "zeros", Map.of("shape", dims(2)), new In[0]), none(ONES, "ones", Map.of("shape", dims(2)), new In[0]),
        none(FULL, "full", Map.of("shape", dims(2), "value", 2.0), new In[0]), none(ARANGE, "arange", Map.of("n", Dim.of(3)), new In[0])
    );

    /** Primitives with no VJP rule yet; adding a rule means moving its primitive to a row above. */
    static final Set<Prim> NO_RULE_YET = EnumSet.noneOf(Prim.class);

    @Test void theRulesMissingAreExactlyTheKnownOnes() {
        var missing = OpTable.table().values().stream().filter(d -> d.vjp() == null).map(d -> d.prim())
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Prim.class)));
        assertEquals(NO_RULE_YET, missing);
    }

    @Test void everyPrimitiveHasARowOrIsKnownToMissItsRule() {
        var covered = EnumSet.copyOf(NO_RULE_YET);
        ROWS.forEach(r -> covered.add(r.prim()));
        assertEquals(EnumSet.allOf(Prim.class), covered);
        for (var r : ROWS) assertFalse(NO_RULE_YET.contains(r.prim()), r.prim() + " has a row but is listed as missing");
    }

    @TestFactory Stream<DynamicTest> finiteDifferences() {
        return ROWS.stream().map(r -> dynamicTest(r.toString(), () -> check(r)));
    }

    // ------------------------------------------------------------------ scan (not a row of the op table: its body is a graph)

    /** A scan row: {@code build} makes the scan from the inputs' nodes (floats are parameters), e.g. [xs, init..., weights...]. */
    record ScanSpec(String name, Interpreter.Options options, List<In> ins, BiFunction<Builder, List<Node>, Node> build) {
        @Override public String toString() { return "scan: " + name; }
    }

    /** A step body: (builder of the body, x_t, state) -> (y_t, state'...). */
    interface Step { List<Node> apply(Builder b, Node x, List<Node> state); }

    /** scan(xs, init...) along {@code axis} with the body {@code f} builds. */
    static Node scan(Builder b, Node xs, List<Node> init, long axis, boolean reverse, Step f) {
        var body = new Graph();
        var t = (Type.Tensor) xs.type();
        var dims = new ArrayList<>(t.shape().dims());
        dims.remove((int) axis);
        var x = body.add(new Node.Input("scan.x", t.withShape(t.shape().withDims(dims))), null);
        var state = new ArrayList<Node>();
        for (int i = 0; i < init.size(); i++) state.add(body.add(new Node.Input("scan.s." + i, (Type.Tensor) init.get(i).type()), null));
        f.apply(new Builder(body), x, state).forEach(body::output);
        var attrs = new HashMap<String, Object>(Map.of("axis", axis, "body", body));
        if (reverse) attrs.put("reverse", true);
        var args = new ArrayList<Node>(List.of(xs));
        args.addAll(init);
        return b.apply("scan", args, attrs);
    }

    static final Interpreter.Options F64 = Interpreter.Options.f64();

    static final List<ScanSpec> SCAN_ROWS = List.of(
        // h' = tanh(x_t @ w + h @ u), y_t = h'; w and u are read from outside the body.
        new ScanSpec("tanh rnn, axis 1", F64, List.of(real(2, 4, 3), real(2, 3), real(3, 3), real(3, 3)), (b, in) ->
            scan(b, in.get(0), List.of(in.get(1)), 1, false, (s, x, h) -> {
                var hn = s.apply("tanh", s.add(s.apply("matmul", x, in.get(2)), s.apply("matmul", h.get(0), in.get(3))));
                return List.of(hn, hn);
            })),
        // Two state parts: y_t = a * c, a' = tanh(a * w + x_t), c' = c * sigmoid(x_t) + a.
        new ScanSpec("two state parts, axis 0", F64, List.of(real(4, 2), real(2), real(2), real(2)), (b, in) ->
            scan(b, in.get(0), List.of(in.get(1), in.get(2)), 0, false, (s, x, st) -> {
                Node a = st.get(0), c = st.get(1);
                return List.of(s.mul(a, c), s.apply("tanh", s.add(s.mul(a, in.get(3)), x)), s.add(s.mul(c, s.apply("sigmoid", x)), a));
            })),
        // From the last step down: h' = sin(h * w + x_t), y_t = h' * h.
        new ScanSpec("reverse, axis 0", F64, List.of(real(4, 3), real(3), real(3)), (b, in) ->
            scan(b, in.get(0), List.of(in.get(1)), 0, true, (s, x, h) -> {
                var hn = s.apply("sin", s.add(s.mul(h.get(0), in.get(2)), x));
                return List.of(s.mul(hn, h.get(0)), hn);
            })),
        // An integer state part carries no cotangent: h' = tanh(h + x_t * f64(n)), n' = n + 1.
        new ScanSpec("an integer state part", F64, List.of(real(2, 3), real(2), index()), (b, in) ->
            scan(b, in.get(0), List.of(in.get(1), in.get(2)), 1, false, (s, x, st) -> {
                Node h = st.get(0), n = st.get(1);
                var hn = s.apply("tanh", s.add(h, s.mul(x, s.cast(n, DType.F64))));
                return List.of(hn, hn, s.add(n, s.constant(1, n)));
            })),
        // A scan in a scan body, reading the outer step's state and a weight: over the rows of x_t,
        // c' = tanh(c * v + x_ti + h); outside, h' = c_final * w and y_t = the inner ys.
        new ScanSpec("nested", F64, List.of(real(3, 2, 4), real(2), real(2), real(2)), (b, in) ->
            scan(b, in.get(0), List.of(in.get(1)), 0, false, (s, x, h) -> {
                var inner = scan(s, x, List.of(h.get(0)), 1, false, (t, xi, c) -> {
                    var cn = t.apply("tanh", t.add(t.add(t.mul(c.get(0), in.get(2)), xi), h.get(0)));
                    return List.of(cn, cn);
                });
                return List.of(s.project(inner, 0), s.mul(s.project(inner, 1), in.get(3)));
            })),
        // Dropout in the body, training: the backward must draw each step's forward mask.
        new ScanSpec("dropout in the body, training", F64.training(5), List.of(real(5, 16), real(16), real(16)), (b, in) ->
            scan(b, in.get(0), List.of(in.get(1)), 0, false, (s, x, h) -> {
                var hn = s.apply("tanh", s.add(s.mul(s.apply("dropout", List.of(h.get(0)), Map.of("p", 0.5, "site", 2L)), in.get(2)), x));
                return List.of(hn, hn);
            }))
    );

    @TestFactory Stream<DynamicTest> scanFiniteDifferences() {
        return SCAN_ROWS.stream().map(r -> dynamicTest(r.toString(), () -> {
            var rnd = new Random(r.name().hashCode());
            var g = new Graph();
            var b = new Builder(g);
            var params = new ArrayList<Node.Param>();
            var values = new HashMap<String, Tensor>();
            Node out = r.build().apply(b, inputs(g, r.ins(), params, values, rnd));
            compare(r.toString(), g, loss(g, b, out, values, rnd), params, values, TOL, r.options());
        }));
    }

    private static void check(GradSpec r) {
        var rnd = new Random(r.toString().hashCode());
        var g = new Graph();
        var b = new Builder(g);
        var params = new ArrayList<Node.Param>();
        var values = new HashMap<String, Tensor>();
        var args = inputs(g, r.ins(), params, values, rnd);
        Node out = b.apply(r.op(), args, r.attrs());
        if (!r.differentiable() && params.isEmpty()) {
            // No float input: the rule must exist and let nothing through.
            var rule = OpTable.forNode(r.op(), args.size()).orElseThrow().vjp();
            assertNotNull(rule, r.op());
            assertTrue(rule.vjp(b, (Node.Apply) out, List.of(out)).stream().allMatch(x -> x == null), r.op());
            return;
        }
        Node loss = loss(g, b, out, values, rnd);
        if (!r.differentiable()) {
            var e = assertThrows(AutodiffPass.NotDifferentiable.class, () -> AutodiffPass.run(g, g.outputs().getFirst(), params));
            assertTrue(e.getMessage().contains("'" + r.op() + "'"), e.getMessage());
            return;
        }
        compare(r.toString(), g, loss, params, values, r.tol(), Interpreter.Options.f64());
    }

    /** One node per input: a parameter for a float one (differentiated), else a program input; values drawn from its domain. */
    static List<Node> inputs(Graph g, List<In> ins, List<Node.Param> params, Map<String, Tensor> values, Random rnd) {
        var args = new ArrayList<Node>();
        for (int i = 0; i < ins.size(); i++) {
            In in = ins.get(i);
            Node n = in.domain().dtype().isFloat() ? new Node.Param("x" + i, in.type(), true) : new Node.Input("x" + i, in.type());
            args.add(g.add(n, null));
            if (n instanceof Node.Param p) params.add(p);
            values.put("x" + i, Tensor.build(in.domain().dtype(), Tensor.shapeOf(in.type()), _ -> in.domain().draw(rnd)));
        }
        return args;
    }

    /** loss = sum_k sum(f64(out_k) * c_k) over the results of {@code out}, with a fixed random cotangent c_k per result. */
    static Node loss(Graph g, Builder b, Node out, Map<String, Tensor> values, Random rnd) {
        var outs = out.type() instanceof Type.Tuple tu
                ? java.util.stream.IntStream.range(0, tu.parts().size()).mapToObj(k -> b.project(out, k)).toList()
                : List.of(out);
        Node loss = null;
        for (int k = 0; k < outs.size(); k++) {
            Node o = b.cast(outs.get(k), DType.F64);
            var ct = g.add(new Node.Input("c" + k, (Type.Tensor) o.type()), null);
            values.put("c" + k, Tensor.build(DType.F64, Tensor.shapeOf((Type.Tensor) o.type()), _ -> rnd.nextDouble(-1, 1)));
            Node term = b.apply("sum", List.of(b.mul(o, ct)), Map.of());
            loss = loss == null ? term : b.add(loss, term);
        }
        g.output(loss);
        return loss;
    }

    /** The gradient graph verifies, and its gradient of every element of every parameter matches central differences. */
    static void compare(String name, Graph g, Node loss, List<Node.Param> params, Map<String, Tensor> values, double tol, Interpreter.Options options) {
        Map<String, Tensor> inputs = new HashMap<>(), ps = new LinkedHashMap<>();
        values.forEach((k, v) -> (params.stream().anyMatch(p -> p.path().equals(k)) ? ps : inputs).put(k, v));
        var grad = AutodiffPass.run(g, loss, params);
        assertEquals(List.of(), Verifier.verify(grad.graph()), "the gradient graph verifies");
        var analytic = Interpreter.run(grad.graph(), inputs, ps, options);
        for (int i = 0; i < params.size(); i++) {
            String path = params.get(i).path();
            Tensor x = ps.get(path), a = analytic.get(i + 1);
            for (int k = 0; k < x.numel(); k++) {
                double numeric = FiniteDifferences.derivative(g, inputs, ps, FiniteDifferences.Of.PARAM, path, k, EPS, options);
                double err = FiniteDifferences.relativeError(a.at(k), numeric);
                if (err > tol)
                    fail(String.format("%s: d loss / d %s[%d] at %s: analytic %.9g, numeric %.9g (relative error %.2g > %.2g)",
                            name, path, k, x, a.at(k), numeric, err, tol));
            }
        }
    }
}
