package dev.dlc.pass;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Algebraic simplification ("simplify"): identities that remove a node, each exact for every
 * input the node can see. A rewrite keeps the node's type exactly: {@code x + 0} is {@code x}
 * only when {@code x} already has the sum's type; when the zero broadcasts {@code x} to a
 * larger shape it is {@code broadcast(x)}, and when it changes the dtype it stays.
 *
 * <p>Floats: fast math is off, as in PyTorch and XLA by default. {@code x * 0} is not folded
 * to zeros for floats, because {@code NaN * 0} and {@code inf * 0} are NaN and
 * {@code -1 * 0} is {@code -0}: removing it would hide a NaN the program computes (a
 * diverging loss must stay visible). Integer {@code x * 0} is folded. The only liberty taken
 * is the sign of zero in {@code x + 0} and {@code x - 0} ({@code -0 + 0} is {@code +0}), as
 * XLA's simplifier takes it: it is observable only through division by zero.
 */
public final class SimplifyPass {
    private SimplifyPass() {}

    public static final String NAME = "simplify";

    public static Graph run(Graph g) { return new Rewriter(NAME).run(g, SimplifyPass::simplify); }

    /** The first identity that applies to {@code n}, else {@code n}. */
    static Node simplify(Node n, Builder b) {
        if (!(n instanceof Node.Apply a)) return n;
        Node out = switch (a.op()) {
            case "add" -> addZero(a, b);
            case "sub" -> subZero(a, b);
            case "mul" -> mulOneOrZero(a, b);
            case "div" -> Uniform.is(a.args().get(1), 1) ? widened(a, a.args().getFirst(), b) : a;
            case "neg" -> negNeg(a);
            case "reshape", "flatten" -> reshapeReshape(a, b);
            case "broadcast" -> broadcastBroadcast(a, b);
            case "transpose", "permute" -> permutation(a, b);
            case "slice" -> Long.valueOf(1).equals(a.attrs().get("step")) ? same(a, a.args().getFirst()) : a; // the whole axis, in order
            case "sum", "mean", "max", "min" -> noAxes(a);
            case "stop_gradient" -> a.args().getFirst() instanceof Node.Apply in && in.op().equals("stop_gradient") ? in : a;
            case "where" -> a.args().get(1) == a.args().get(2) ? same(a, a.args().get(1)) : a;
            default -> DType.parse(a.op()).isPresent() ? same(a, a.args().getFirst()) : a; // a cast to its own dtype
        };
        return out;
    }

    /** {@code x} in place of {@code a} when it has exactly {@code a}'s type (no broadcast, no dtype change), else {@code a}. */
    private static Node same(Node.Apply a, Node x) { return x.type().equals(a.type()) ? x : a; }

    /**
     * {@code x} as the operand of a binary op whose other operand is the identity: {@code x}
     * itself, or {@code x} broadcast to the result's shape when the other operand widened it
     * ({@code x + zeros([2, F])} is {@code broadcast(x, [2, F])}). A dtype change stays.
     */
    private static Node widened(Node.Apply a, Node x, Builder b) {
        if (x.type().equals(a.type())) return x;
        if (Builder.dtype(x) != Builder.dtype(a)) return a;
        return b.broadcast(x, Builder.tensor(a).shape());
    }

    // x + 0 = x, 0 + x = x
    private static Node addZero(Node.Apply a, Builder b) {
        Node x = a.args().get(0), y = a.args().get(1);
        if (Uniform.is(y, 0)) return widened(a, x, b);
        if (Uniform.is(x, 0)) return widened(a, y, b);
        return a;
    }

    // x - 0 = x; 0 - x = -x
    private static Node subZero(Node.Apply a, Builder b) {
        Node x = a.args().get(0), y = a.args().get(1);
        if (Uniform.is(y, 0)) return widened(a, x, b);
        if (Uniform.is(x, 0) && y.type().equals(a.type())) return b.neg(y);
        return a;
    }

    // x * 1 = x, 1 * x = x; for integers x * 0 = 0 * x = 0 (not for floats: see the class comment)
    private static Node mulOneOrZero(Node.Apply a, Builder b) {
        Node x = a.args().get(0), y = a.args().get(1);
        if (Uniform.is(y, 1)) return widened(a, x, b);
        if (Uniform.is(x, 1)) return widened(a, y, b);
        if (!Builder.dtype(a).isFloat() && (Uniform.is(x, 0) || Uniform.is(y, 0))) return b.zeros(Builder.tensor(a));
        return a;
    }

    // -(-x) = x
    private static Node negNeg(Node.Apply a) {
        return a.args().getFirst() instanceof Node.Apply in && in.op().equals("neg") ? same(a, in.args().getFirst()) : a;
    }

    // reshape(reshape(x, s1), s2) = reshape(x, s2); reshape(x, shape of x) = x (flatten is a reshape)
    private static Node reshapeReshape(Node.Apply a, Builder b) {
        Node x = a.args().getFirst();
        if (!(x instanceof Node.Apply in && (in.op().equals("reshape") || in.op().equals("flatten")))) return same(a, x);
        return b.reshape(in.args().getFirst(), Builder.tensor(a).shape());
    }

    // broadcast(broadcast(x, s1), s2) = broadcast(x, s2): each axis of x is 1 or already s1's, which is 1 or s2's
    private static Node broadcastBroadcast(Node.Apply a, Builder b) {
        Node x = a.args().getFirst();
        if (!(x instanceof Node.Apply in && in.op().equals("broadcast"))) return same(a, x);
        return b.broadcast(in.args().getFirst(), Builder.tensor(a).shape());
    }

    /**
     * Transposes and permutes compose into one permutation: with {@code out[i] = in[p[i]]},
     * {@code P2(P1(x))[i] = x[p1[p2[i]]]}; the identity permutation is {@code x} itself, and one
     * moving only axes of size 1 a reshape.
     */
    private static Node permutation(Node.Apply a, Builder b) {
        Node x = a.args().getFirst();
        int[] p = perm(a);
        boolean composed = x instanceof Node.Apply in && (in.op().equals("transpose") || in.op().equals("permute"));
        if (composed) {
            var in = (Node.Apply) x;
            int[] inner = perm(in);
            int[] both = new int[p.length];
            for (int i = 0; i < p.length; i++) both[i] = inner[p[i]];
            p = both;
            x = in.args().getFirst();
        }
        Shape shape = Builder.tensor(a).shape();
        if (identity(p)) return same(a, x);
        if (keepsOrder(p, shape)) return b.reshape(x, shape);
        if (!composed) return a;
        var axes = new ArrayList<Long>();
        for (int i : p) axes.add((long) i);
        return b.apply("permute", List.of(x), Map.of("axes", axes));
    }

    /** The permutation a transpose (a swap of two axes) or permute applies: output axis i is input axis p[i]. */
    private static int[] perm(Node.Apply a) {
        int rank = Builder.tensor(a).rank();
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) p[i] = i;
        if (a.op().equals("transpose")) {
            int i = axis(a.attrs().get("a"), rank), j = axis(a.attrs().get("b"), rank);
            p[i] = j;
            p[j] = i;
        } else {
            var axes = (List<?>) a.attrs().get("axes");
            for (int i = 0; i < rank; i++) p[i] = axis(axes.get(i), rank);
        }
        return p;
    }

    private static int axis(Object v, int rank) {
        int i = Math.toIntExact(((Number) v).longValue());
        return i < 0 ? i + rank : i;
    }

    /**
     * Whether a permutation moves only axes of size 1 ({@code out} its result's shape): the axes
     * longer than 1 keep their order, so the elements do too and the permute is a reshape, a
     * view ([N, 1, H, W] → [1, N, H, W], a one-channel input as a weight gradient reads it: it
     * was copied).
     */
    private static boolean keepsOrder(int[] p, Shape out) {
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (out.dim(i).equals(Dim.of(1))) continue;
            if (p[i] < last) return false;
            last = p[i];
        }
        return true;
    }

    private static boolean identity(int[] p) {
        for (int i = 0; i < p.length; i++) if (p[i] != i) return false;
        return true;
    }

    // sum(x, axis = []) = x: a reduction over no axes (absent axes mean all of them)
    private static Node noAxes(Node.Apply a) {
        return a.args().size() == 1 && a.attrs().get("axis") instanceof List<?> axes && axes.isEmpty() ? same(a, a.args().getFirst()) : a;
    }
}
