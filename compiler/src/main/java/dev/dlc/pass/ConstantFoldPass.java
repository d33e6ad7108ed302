package dev.dlc.pass;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import dev.dlc.ops.Bound;
import dev.dlc.ops.Fusion;
import dev.dlc.ops.OpDef;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Constant folding ("fold"): an op whose arguments are all uniform constants (see
 * {@link Uniform}) is run at compile time with its cpu kernel from the op table, as the
 * interpreter would run it, and replaced by the result when that is again one value
 * everywhere ({@code Node.Const} is a scalar: a tensor result becomes a broadcast constant).
 * A result that varies ({@code arange}, a one-hot) stays as it is.
 *
 * <p>Never folded: dropout (random), a {@code Const(NaN)} argument or a NaN result (NaN
 * stands for a value known only at run time), and tuples. Values are computed in f64, the
 * interpreter's check mode: an f32 run rounds the folded constant once where the unfolded
 * program rounded after every op.
 */
public final class ConstantFoldPass {
    private ConstantFoldPass() {}

    public static final String NAME = "fold";

    /** Ops that are not elementwise are evaluated on their full shapes: only up to this many elements. */
    static final int MAX_ELEMENTS = 1 << 16;

    public static Graph run(Graph g) { return new Rewriter(NAME).run(g, ConstantFoldPass::fold); }

    static Node fold(Node n, Builder b) {
        if (!(n instanceof Node.Apply a) || !(a.type() instanceof Type.Tensor t) || Uniform.canonical(a)) return n;
        OpDef def = OpTable.forNode(a.op(), a.args().size()).orElse(null);
        if (def == null || def.prim() == Prim.DROPOUT) return n;
        var values = new ArrayList<Double>();
        for (Node arg : a.args()) {
            OptionalDouble v = Uniform.value(arg);
            if (v.isEmpty()) return n;
            values.add(v.getAsDouble());
        }
        OptionalDouble result;
        try {
            result = evaluate(a, def, values, t);
        } catch (RuntimeException e) {
            return n; // e.g. an integer division by zero: left for run time, which reports it
        }
        if (result.isEmpty() || Double.isNaN(result.getAsDouble())) return n;
        return Uniform.of(result.getAsDouble(), a, b);
    }

    /**
     * The kernel's result when every element is the same, else empty. An elementwise op of
     * uniform arguments is uniform and is run on scalars; other ops on the full shapes.
     */
    private static OptionalDouble evaluate(Node.Apply a, OpDef def, List<Double> values, Type.Tensor t) {
        boolean elementwise = def.fusion() == Fusion.ELEMWISE || def.fusion() == Fusion.BROADCAST;
        var inputs = new ArrayList<Tensor>();
        for (int i = 0; i < values.size(); i++) {
            var at = Builder.tensor(a.args().get(i));
            int[] shape = elementwise ? new int[0] : Tensor.shapeOf(at);
            if (Tensor.numel(shape) > MAX_ELEMENTS) return OptionalDouble.empty();
            inputs.add(Tensor.filled(at.dtype(), shape, values.get(i)).fit(true));
        }
        Type.Tensor result = elementwise ? Type.tensor(t.dtype()) : t;
        if (Tensor.numel(Tensor.shapeOf(result)) > MAX_ELEMENTS) return OptionalDouble.empty();
        var out = def.cpu().run(inputs, new Bound(a.op(), a.attrs()), result);
        if (out.size() != 1) return OptionalDouble.empty();
        Tensor r = out.getFirst().fit(true);
        double v = r.at(0);
        for (int i = 1; i < r.numel(); i++) if (Double.compare(r.at(i), v) != 0) return OptionalDouble.empty();
        return r.numel() == 0 ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
