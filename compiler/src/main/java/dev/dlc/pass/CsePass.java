package dev.dlc.pass;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Common-subexpression elimination ("cse"). The graph interns structurally equal nodes as
 * they are built, so rebuilding it merges every repeat whose arguments became equal. On top
 * of that this pass
 * <ul>
 *   <li>puts the arguments of commutative ops in one order (computed values, then inputs and
 *       parameters, then constants; within each, the earlier-defined first), so {@code a + b} and {@code b + a} become one node. Exact for
 *       floats too: IEEE addition, multiplication, max and min are commutative, NaN included;</li>
 *   <li>hoists loop-invariant nodes out of scan bodies: a body node that uses only values of
 *       the enclosing graph is the same on every step, so it is computed once before the scan,
 *       where it merges with an equal node of the enclosing graph. Random ops and the body's
 *       placeholders stay (see {@link Rewriter}).</li>
 * </ul>
 */
public final class CsePass {
    private CsePass() {}

    public static final String NAME = "cse";

    static final Set<Prim> COMMUTATIVE = EnumSet.of(Prim.ADD, Prim.MUL, Prim.MAXIMUM, Prim.MINIMUM, Prim.EQ, Prim.NE, Prim.AND, Prim.OR);

    public static Graph run(Graph g) {
        var rewriter = new Rewriter(NAME, _ -> true, true);
        return rewriter.run(g, (n, b) -> canonical(n, b, rewriter::position));
    }

    /** Computed values first, then inputs and parameters, constants last ({@code x @ w + b} keeps its order, {@code 2 * x} becomes {@code x * 2}). */
    private static int rank(Node n) {
        return switch (n) {
            case Node.Apply _, Node.Project _ -> 0;
            case Node.Input _, Node.Param _ -> 1;
            case Node.Const _ -> 2;
        };
    }

    /** A commutative op with its arguments in canonical order; any other node as it is. */
    static Node canonical(Node n, Builder b, ToIntFunction<Node> position) {
        if (!(n instanceof Node.Apply a) || a.args().size() != 2) return n;
        var def = OpTable.forNode(a.op(), 2);
        if (def.isEmpty() || !COMMUTATIVE.contains(def.get().prim())) return n;
        var order = Comparator.<Node>comparingInt(CsePass::rank).thenComparingInt(position);
        Node x = a.args().get(0), y = a.args().get(1);
        if (order.compare(x, y) <= 0) return n;
        return b.apply(a.op(), List.of(y, x), a.attrs());
    }
}
