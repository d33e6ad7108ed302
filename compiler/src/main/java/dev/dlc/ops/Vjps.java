package dev.dlc.ops;

import static dev.dlc.ir.Builder.tensor;
import static dev.dlc.ops.Prim.*;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Node;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The derivative column of the op table: one VJP rule per primitive, built from other
 * primitives (STYLE.md §5). {@code g} is the output cotangent, {@code y} the node itself
 * (its value in the backward graph), {@code x}, {@code a}, {@code b} its arguments. Binary
 * ops broadcast, so each operand's share is summed back to its shape ({@link Builder#sumTo}).
 * A primitive missing here has no rule yet: differentiating through it is an error.
 */
final class Vjps {
    private Vjps() {}

    static final Map<Prim, VjpRule> RULES = new EnumMap<>(Prim.class);

    static void rule(Prim p, VjpRule.Single r) { RULES.put(p, (b, out, g) -> r.vjp(b, out, g.getFirst())); }

    /** No gradient flows to any argument (comparisons, logic, indices, stop_gradient). */
    static void none(Prim p) { RULES.put(p, (_, out, _) -> Arrays.asList(new Node[out.args().size()])); }

    static Node arg(Node.Apply y, int i) { return y.args().get(i); }
    static List<Node> one(Node dx) { return List.of(dx); }

    static {
        // Elementwise unary: dx = g * f'(x), with f'(x) written through y = f(x) where that is cheaper.
        rule(EXP, (b, y, g) -> one(b.mul(g, y)));                                            // e^x' = e^x
        rule(LOG, (b, y, g) -> one(b.div(g, arg(y, 0))));                                   // log' = 1/x
        rule(SQRT, (b, y, g) -> one(b.div(g, b.mul(2, y))));                                // sqrt' = 1/(2 sqrt x)
        rule(RSQRT, (b, y, g) -> one(b.mul(g, b.mul(-0.5, b.div(y, arg(y, 0))))));         // (x^-1/2)' = -1/2 x^-3/2 = -y/(2x)
        rule(TANH, (b, y, g) -> one(b.mul(g, b.sub(b.constant(1, y), b.mul(y, y)))));       // tanh' = 1 - tanh^2
        rule(SIGMOID, (b, y, g) -> one(b.mul(g, b.mul(y, b.sub(b.constant(1, y), y)))));   // s' = s (1 - s)
        // 1 where x > 0, read from y: relu(x) > 0 exactly where x > 0 (NaN neither), so x need not
        // be kept for the backward pass, and a matmul or convolution fuses its relu (the
        // pre-activation was a second output: a small CNN's first layer wrote 12.8 MB more)
        rule(RELU, (b, y, g) -> one(b.select(b.apply("gt", y, b.constant(0, y)), g)));
        rule(SIN, (b, y, g) -> one(b.mul(g, b.apply("cos", arg(y, 0)))));                  // sin' = cos
        rule(COS, (b, y, g) -> one(b.neg(b.mul(g, b.apply("sin", arg(y, 0))))));           // cos' = -sin
        rule(ABS, (b, y, g) -> one(b.mul(g, b.apply("sign", arg(y, 0)))));                 // |x|' = sign x (0 at 0)
        rule(NEG, (b, y, g) -> one(b.neg(g)));                                              // (-x)' = -1
        none(SIGN); // piecewise constant: zero almost everywhere
        none(NOT);

        // Binary, broadcasting: the share of each operand, summed back to its shape.
        rule(ADD, (b, y, g) -> List.of(b.sumTo(g, tensor(arg(y, 0))), b.sumTo(g, tensor(arg(y, 1)))));
        rule(SUB, (b, y, g) -> List.of(b.sumTo(g, tensor(arg(y, 0))), b.sumTo(b.neg(g), tensor(arg(y, 1)))));
        // d(ab) = b da + a db
        rule(MUL, (b, y, g) -> List.of(b.sumTo(b.mul(g, arg(y, 1)), tensor(arg(y, 0))),
                b.sumTo(b.mul(g, arg(y, 0)), tensor(arg(y, 1)))));
        // d(a/b) = da/b - (a/b) db/b
        rule(DIV, (b, y, g) -> List.of(b.sumTo(b.div(g, arg(y, 1)), tensor(arg(y, 0))),
                b.sumTo(b.neg(b.div(b.mul(g, y), arg(y, 1))), tensor(arg(y, 1)))));
        // d(a^b) = b a^(b-1) da + a^b log(a) db (the exponent's share needs a > 0)
        rule(POW, (b, y, g) -> {
            Node a = arg(y, 0), e = arg(y, 1);
            Node da = b.mul(g, b.mul(e, b.apply("pow", a, b.sub(e, b.constant(1, e)))));
            Node de = b.mul(g, b.mul(y, b.apply("log", a)));
            return List.of(b.sumTo(da, tensor(a)), b.sumTo(de, tensor(e)));
        });
        // max(a, b): the gradient goes to the larger operand; a tie goes to a (a subgradient; FD is undefined there).
        rule(MAXIMUM, (b, y, g) -> pick(b, y, g, "ge"));
        rule(MINIMUM, (b, y, g) -> pick(b, y, g, "le"));
        for (Prim p : List.of(LT, LE, GT, GE, EQ, NE, AND, OR)) none(p);
        // where(c, a, b) = c ? a : b: the cotangent splits by the condition; none to c.
        rule(WHERE, (b, y, g) -> {
            Node c = arg(y, 0);
            return Arrays.asList(null, b.sumTo(b.select(c, g), tensor(arg(y, 1))),
                    b.sumTo(b.apply("where", c, b.constant(0, g), g), tensor(arg(y, 2))));
        });
        // masked_fill(x, m, v): filled places no longer depend on x.
        rule(MASKED_FILL, (b, y, g) -> Arrays.asList(b.apply("where", arg(y, 1), b.constant(0, g), g), null));

        Reductions.install();
        MovementVjps.install();
        ConvVjps.install();

        // Casts pass the cotangent through between float types; int and bool values carry none.
        rule(CAST, (b, y, g) -> Arrays.asList(tensor(arg(y, 0)).dtype().isFloat() && tensor(y).dtype().isFloat()
                ? b.cast(g, tensor(arg(y, 0)).dtype()) : null));
        none(STOP_GRADIENT);
        // out = x * m / (1 - p) with the mask m of this node's stream, linear in x:
        // dL/dx = g * m / (1 - p), which is dropout of g with the same p and stream.
        rule(DROPOUT, (b, out, g) -> List.of(b.apply("dropout", List.of(g), out.attrs())));
        for (Prim p : List.of(ARGMAX, ARGMIN, ONE_HOT)) none(p);
        for (Prim p : List.of(ZEROS, ONES, FULL, ARANGE)) none(p); // no tensor arguments
    }

    /** The elementwise max/min rule: {@code cmp(a, b)} says where {@code a} was chosen. */
    private static List<Node> pick(Builder b, Node.Apply y, Node g, String cmp) {
        Node a = arg(y, 0), c = arg(y, 1);
        Node toA = b.apply(cmp, a, c);
        Node ga = b.apply("where", toA, g, b.constant(0, g)), gc = b.apply("where", toA, b.constant(0, g), g);
        return List.of(b.sumTo(ga, tensor(a)), b.sumTo(gc, tensor(c)));
    }

    /** A normalized axis attribute. */
    static int axis(Node.Apply y, String name, int rank) {
        int a = Math.toIntExact(new Bound(y.op(), y.attrs()).integer(name));
        return a < 0 ? a + rank : a;
    }

    /** Reductions, softmax and matmul. */
    private static final class Reductions {
        static void install() {
            // sum: every input element contributes once, so dx = g broadcast back over the reduced axes.
            rule(SUM, (b, y, g) -> one(spread(b, y, g)));
            // mean = sum / n: dx = g / n.
            rule(MEAN, (b, y, g) -> one(b.div(spread(b, y, g),
                    b.constant((double) numel(tensor(arg(y, 0))) / numel(tensor(y)), g))));
            // max: dx = g where x attains the max, shared equally between ties.
            rule(MAX, Reductions::extremum);
            rule(MIN, Reductions::extremum);
            // logsumexp: dx = g * exp(x - y) = g * softmax(x).
            rule(LOGSUMEXP, (b, y, g) -> one(b.mul(spread(b, y, g), b.apply("exp", b.sub(arg(y, 0), keep(b, y, y))))));
            // softmax along an axis: dx = y * (g - sum(g y, axis)).
            rule(SOFTMAX, (b, y, g) -> {
                var ax = List.of((long) axis(y, "axis", tensor(y).rank()));
                return one(b.mul(y, b.sub(g, b.sum(b.mul(g, y), ax, true))));
            });
            // log_softmax: dx = g - softmax(x) * sum(g, axis) with softmax(x) = exp(y).
            rule(LOG_SOFTMAX, (b, y, g) -> {
                var ax = List.of((long) axis(y, "axis", tensor(y).rank()));
                return one(b.sub(g, b.mul(b.apply("exp", y), b.sum(g, ax, true))));
            });
            // matmul: dA = G B^T and dB = A^T G, after seeing 1-D operands as a row / a column;
            // batch dimensions that were broadcast are summed back.
            rule(MATMUL, (b, y, g) -> {
                Node a = arg(y, 0), c = arg(y, 1);
                Type.Tensor at = tensor(a), ct = tensor(c);
                Node a2 = at.rank() == 1 ? b.reshape(a, Shape.of(List.of(Dim.of(1), at.dim(0)))) : a;
                Node c2 = ct.rank() == 1 ? b.reshape(c, Shape.of(List.of(ct.dim(0), Dim.of(1)))) : c;
                Node y2 = b.apply("matmul", a2, c2);
                Node g2 = b.reshape(g, tensor(y2).shape());
                Node da = b.sumTo(b.apply("matmul", g2, t(b, c2)), tensor(a2));
                Node dc = tensor(a2).rank() > 2 && tensor(c2).rank() == 2 ? sharedWeight(b, a2, g2)
                        : b.sumTo(b.apply("matmul", t(b, a2), g2), tensor(c2));
                return List.of(b.reshape(da, at.shape()), b.reshape(dc, ct.shape()));
            });
        }

        private static Node t(Builder b, Node x) { return b.apply("transpose", x); }

        /**
         * dB for a 2-D B shared by every batch of A [..., m, k]: Σ over batches of A_i^T G_i is
         * one product over the rows of all batches, [k, rows] × [rows, n], rather than a batch
         * of [k, n] products written out and summed (a transformer's output layer at batch 64
         * wrote and summed [64, 32, 1000]: 2.2 ms of a 29 ms step).
         */
        private static Node sharedWeight(Builder b, Node a2, Node g2) {
            var as = tensor(a2).shape();
            Dim rows = Shape.of(as.dims().subList(0, as.rank() - 1)).numel();
            Node a = b.reshape(a2, Shape.of(List.of(rows, as.dim(as.rank() - 1))));
            Node g = b.reshape(g2, Shape.of(List.of(rows, tensor(g2).shape().dim(as.rank() - 1))));
            return b.apply("matmul", t(b, a), g);
        }

        private static List<Node> extremum(Builder b, Node.Apply y, Node g) {
            Node x = arg(y, 0);
            Node hit = b.cast(b.apply("eq", x, keep(b, y, y)), tensor(x).dtype());
            var axes = reduced(y).stream().map(Integer::longValue).toList();
            Node ties = b.sum(hit, axes, true);
            return one(b.mul(b.div(hit, ties), keep(b, y, g)));
        }

        /** A reduction's axes, all when none are given. */
        private static List<Integer> reduced(Node.Apply y) {
            var x = tensor(arg(y, 0));
            var given = new Bound(y.op(), y.attrs()).axes("axis");
            var out = new ArrayList<Integer>();
            if (given.isEmpty()) for (int i = 0; i < x.rank(); i++) out.add(i);
            else for (long a : given.get()) out.add((int) (a < 0 ? a + x.rank() : a));
            return out;
        }

        /** A value shaped like the reduction's result, reshaped as if keepdims (so it broadcasts against x). */
        private static Node keep(Builder b, Node.Apply y, Node v) { return b.reshape(v, Builder.kept(tensor(arg(y, 0)), reduced(y))); }

        /** g broadcast back to x's shape over the reduced axes. */
        private static Node spread(Builder b, Node.Apply y, Node g) { return b.broadcast(keep(b, y, g), tensor(arg(y, 0)).shape()); }

        private static long numel(Type.Tensor t) {
            long n = 1;
            for (Dim d : t.shape().dims()) n *= d.value();
            return n;
        }
    }
}
