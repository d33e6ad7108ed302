package dev.dlc.ir;

import dev.dlc.diag.Span;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * One fused loop nest of a compiled program (the unit a code generator emits): the ops it
 * computes at every point of its iteration space, the values it reads from memory and the
 * values it writes. An op's index at a point follows from its type: elementwise and
 * broadcast ops read their arguments at the broadcast index, movement (injective) ops at the
 * index they map to, and a reduction inside a kernel is an inner loop over its reduced axes.
 * Ops that are not outputs live in registers; an op may sit in two kernels (recomputed).
 *
 * <ul>
 *   <li>ELEMENTWISE: elementwise, broadcast and movement ops over the space of its result.
 *   <li>REDUCE: at least one reduction. The space is the reduction's input when the kernel ends
 *       in it, else the result's: there a reduction is either an inner loop per point, or (its
 *       input is the space, e.g. softmax) computed once per kept index and broadcast back.
 *   <li>OPAQUE: one opaque op (matmul, conv2d, pooling, scatter_add) reading its operands from
 *       memory, then an elementwise epilogue over its result (bias, activation, an update).
 *   <li>VIEW: nothing computed; its output is its input's buffer under another shape.
 *   <li>SCAN: a scan; {@link #body} is the body fused the same way, run once per step.
 *   <li>HORIZONTAL: several independent elementwise parts over one concatenated index space
 *       (the optimizer's update of every parameter).
 * </ul>
 *
 * @param parts  one per iteration space; several only in a HORIZONTAL kernel
 * @param inputs the values it reads from memory (inputs, parameters, other kernels' outputs), first use first
 * @param body   the fused body of a SCAN kernel, else null
 * @param from   the `.dl` lines of its ops, one span per distinct file and line, in file then line order
 */
public record Kernel(int id, Kind kind, List<Part> parts, List<Node> inputs, List<Node> outputs, FusedProgram body, List<Span> from) {

    public enum Kind { ELEMENTWISE, REDUCE, OPAQUE, VIEW, SCAN, HORIZONTAL }

    /** One iteration space and the ops computed over it, in a topological order; outputs are written to memory. */
    public record Part(Shape space, List<Node> ops, List<Node> outputs) {
        public Part { ops = List.copyOf(ops); outputs = List.copyOf(outputs); }
    }

    public Kernel {
        parts = List.copyOf(parts);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        from = List.copyOf(from);
    }

    /** Every op of every part, in order. */
    public List<Node> ops() {
        var out = new ArrayList<Node>();
        for (Part p : parts) out.addAll(p.ops());
        return out;
    }

    /** The iteration space: the part's, or for several parts one axis as long as all of them together. */
    public Shape space() {
        if (parts.size() == 1) return parts.getFirst().space();
        Dim n = Dim.of(0);
        for (Part p : parts) n = n.plus(p.space().numel());
        return Shape.of(List.of(n));
    }
}
