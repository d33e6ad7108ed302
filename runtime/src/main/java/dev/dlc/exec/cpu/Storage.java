package dev.dlc.exec.cpu;

import dev.dlc.ir.FusedProgram;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.Node;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.MemoryPlan;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where every value of a compiled program lives. Three tables of arrays, by dtype:
 * <ul>
 *   <li>{@code f}: f32 (and f16/bf16, rounded to their dtype but held as floats). Slot 0 is the
 *       arena: every f32 value a kernel writes sits at its memory-plan offset there;
 *   <li>{@code i}: i32 and bool (0 or 1), one array per value;
 *   <li>{@code d}: f64 and i64 (exact, as the interpreter's doubles), one array per value.
 * </ul>
 * Inputs and parameters get an array each, so a trainer keeps its slots in place between
 * steps and only the batch is converted. Integer and f64 values are few and small (labels,
 * argmax), so they are not worth a second arena; they still count in the plan's peak.
 */
final class Storage {
    /** A value's place: table ('f', 'i' or 'd'), slot in the table, element offset. */
    record Loc(char table, int slot, int offset) {
        String array() { return table + "" + slot; }

        /** The place {@code n} elements further on in the same array. */
        Loc plus(int n) { return new Loc(table, slot, offset + n); }
    }

    private final Map<Node, Loc> locs = new IdentityHashMap<>();
    /** The values given arrays of their own ({@link #own}). */
    private final Set<Node> owners = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<Integer> fSizes = new ArrayList<>(), iSizes = new ArrayList<>(), dSizes = new ArrayList<>();
    final MemoryPlan plan;

    /** Places {@code p}'s values; those in {@code own} (by identity) get arrays of their own even when the plan puts them in the arena. */
    Storage(FusedProgram p, java.util.Set<Node> own) {
        plan = MemoryPlan.of(p);
        fSizes.add(Math.toIntExact(plan.peak() / 4 + 1));
        var arena = new IdentityHashMap<Node, Long>();
        for (MemoryPlan.Buffer b : plan.buffers()) if (!b.workspace()) arena.put(b.value(), b.offset());
        for (Node n : p.graph().nodes()) if (n instanceof Node.Input || n instanceof Node.Param) own(n);
        for (Kernel k : p.kernels()) {
            for (Node in : k.inputs()) if ((in instanceof Node.Input || in instanceof Node.Param) && !locs.containsKey(in)) own(in);
            if (k.kind() == Kernel.Kind.VIEW) {
                locs.put(k.outputs().getFirst(), locs.get(k.inputs().getFirst()));
                continue;
            }
            for (Node o : k.outputs()) {
                Long at = arena.get(o);
                if (dtype(o) == DType.F32 && at != null && !own.contains(o)) locs.put(o, new Loc('f', 0, Math.toIntExact(at / 4)));
                else own(o);
            }
        }
    }

    /** A fresh array of its own for {@code n} (an input, a parameter, a non-f32 value, a scratch result). */
    Loc own(Node n) {
        var loc = fresh(table(dtype(n)), numel(n));
        locs.put(n, loc);
        owners.add(n);
        return loc;
    }

    /** Whether {@code n} was given an array of its own by {@link #own}, not the place of a value it views. */
    boolean ownsArray(Node n) { return owners.contains(n); }

    /** A fresh array in a table. */
    Loc fresh(char table, int size) {
        var sizes = sizes(table);
        sizes.add(size);
        return new Loc(table, sizes.size() - 1, 0);
    }

    Loc loc(Node n) { return locs.get(n); }

    boolean has(Node n) { return locs.containsKey(n); }

    /**
     * Elements past the end of every f32 and i32 array, never read as values. Why: a masked
     * vector load or store whose whole vector does not fit in the array leaves the Vector API's
     * intrinsic for a slow path, and a value's last vector is masked: the softmax classifier's
     * 256 × 784 × 10 product took 196 µs with its 784 × 10 weights in an exact array, 65 µs with
     * room for one vector after them.
     */
    static final int SLACK = 16;

    /** A frame of zeroed arrays for this storage. */
    Frame frame() {
        var f = new float[fSizes.size()][];
        for (int s = 0; s < f.length; s++) f[s] = new float[fSizes.get(s) + SLACK];
        var i = new int[iSizes.size()][];
        for (int s = 0; s < i.length; s++) i[s] = new int[iSizes.get(s) + SLACK];
        var d = new double[dSizes.size()][];
        for (int s = 0; s < d.length; s++) d[s] = new double[dSizes.get(s)];
        return new Frame(f, i, d);
    }

    /** The bytes a frame holds: the arena, the scratch and every input, parameter and own array. */
    long bytes() {
        long b = 0;
        for (int s : fSizes) b += 4L * (s + SLACK);
        for (int s : iSizes) b += 4L * (s + SLACK);
        for (int s : dSizes) b += 8L * s;
        return b;
    }

    private List<Integer> sizes(char table) {
        return switch (table) {
            case 'f' -> fSizes;
            case 'i' -> iSizes;
            default -> dSizes;
        };
    }

    static char table(DType t) {
        return switch (t) {
            case F32, F16, BF16 -> 'f';
            case I32, BOOL -> 'i';
            case F64, I64 -> 'd';
        };
    }

    static DType dtype(Node n) { return ((Type.Tensor) n.type()).dtype(); }

    static int numel(Node n) { return Tensor.numel(Tensor.shapeOf((Type.Tensor) n.type())); }

    // ------------------------------------------------------------------ moving values in and out

    /** Writes a tensor's elements at a place (rounded to the tensor's dtype, as the interpreter fits them). */
    static void write(Frame fr, Loc at, Tensor t) {
        int n = t.numel();
        switch (at.table()) {
            case 'f' -> { float[] a = fr.f[at.slot()]; for (int k = 0; k < n; k++) a[at.offset() + k] = (float) t.at(k); }
            case 'i' -> { int[] a = fr.i[at.slot()]; for (int k = 0; k < n; k++) a[at.offset() + k] = (int) t.at(k); }
            default -> { double[] a = fr.d[at.slot()]; for (int k = 0; k < n; k++) a[at.offset() + k] = t.at(k); }
        }
    }

    /** The value at a place as a tensor of the given type. */
    static Tensor read(Frame fr, Loc at, Type.Tensor type) {
        int off = at.offset();
        return switch (at.table()) {
            case 'f' -> { float[] a = fr.f[at.slot()]; yield Tensor.build(type.dtype(), Tensor.shapeOf(type), k -> a[off + k]); }
            case 'i' -> { int[] a = fr.i[at.slot()]; yield Tensor.build(type.dtype(), Tensor.shapeOf(type), k -> a[off + k]); }
            default -> { double[] a = fr.d[at.slot()]; yield Tensor.build(type.dtype(), Tensor.shapeOf(type), k -> a[off + k]); }
        };
    }

    /** Copies n elements between two places of the same table. */
    static void copy(Frame fr, Loc from, Loc to, int n) { copy(fr, from, fr, to, n); }

    /** Copies n elements from a place of one frame to a place of the same table in another (a scan's body and its enclosing program). */
    static void copy(Frame fromFrame, Loc from, Frame toFrame, Loc to, int n) {
        switch (from.table()) {
            case 'f' -> System.arraycopy(fromFrame.f[from.slot()], from.offset(), toFrame.f[to.slot()], to.offset(), n);
            case 'i' -> System.arraycopy(fromFrame.i[from.slot()], from.offset(), toFrame.i[to.slot()], to.offset(), n);
            default -> System.arraycopy(fromFrame.d[from.slot()], from.offset(), toFrame.d[to.slot()], to.offset(), n);
        }
    }
}
