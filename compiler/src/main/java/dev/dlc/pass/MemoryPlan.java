package dev.dlc.pass;

import dev.dlc.ir.FusedProgram;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The static memory plan of a fused program: every value a kernel writes gets an offset in one
 * arena, reused once the value is dead. Inputs and parameters live outside the arena; a view
 * shares its base's buffer (and keeps it alive); a graph output lives to the end; a scan gets a
 * workspace for its body's own arena and the step's slices and state, live while it runs.
 *
 * <p>Lifetimes are in kernel order: a buffer is live from the kernel that writes it to the last
 * kernel that reads it, both included (a kernel never writes over what it reads). Placement is
 * greedy by size (TFLite's offset planner): largest first, each in the smallest gap left by the
 * buffers already placed whose lifetimes overlap its own, else above them; sizes round up to
 * {@link #ALIGN} bytes so every buffer starts on a cache line (and a vector boundary).
 *
 * @param buffers by offset then kernel
 * @param peak    the arena's size in bytes
 * @param naive   the sum of all buffers' (aligned) sizes: the arena without reuse
 */
public record MemoryPlan(List<Buffer> buffers, long peak, long naive) {

    public static final long ALIGN = 64;

    /** The last use of a graph output: after every kernel. */
    public static final int END = Integer.MAX_VALUE;

    public MemoryPlan { buffers = List.copyOf(buffers); }

    /**
     * @param value     the value stored (for a workspace, the scan)
     * @param workspace whether this is a scan's workspace rather than a value
     * @param first     the kernel that writes it
     * @param last      the last kernel that reads it; {@link #END} for a graph output
     */
    public record Buffer(Node value, boolean workspace, long bytes, long offset, int first, int last) {
        long size() { return align(bytes); }
        boolean liveWith(Buffer o) { return first <= o.last && o.first <= last; }
    }

    /** A value whose size is not known (a symbolic shape): no plan. */
    public static final class Unplannable extends RuntimeException {
        Unplannable(String message) { super(message); }
    }

    /** The plan of {@code p}. Throws {@link Unplannable} when a buffer's shape is symbolic. */
    public static MemoryPlan of(FusedProgram p) {
        var kernels = p.kernels();
        var base = new IdentityHashMap<Node, Node>(); // a view's value -> the value whose buffer it is
        var written = new ArrayList<Node>();  // in kernel order: placement breaks ties by it, so the plan is reproducible
        var born = new IdentityHashMap<Node, Integer>();
        var workspaces = new ArrayList<Buffer>();
        for (Kernel k : kernels) {
            if (k.kind() == Kernel.Kind.VIEW) {
                Node in = k.inputs().getFirst();
                base.put(k.outputs().getFirst(), base.getOrDefault(in, in));
                continue;
            }
            for (Node o : k.outputs()) {
                written.add(o);
                born.put(o, k.id());
            }
            if (k.kind() == Kernel.Kind.SCAN) workspaces.add(new Buffer(k.ops().getFirst(), true, workspace(k), 0, k.id(), k.id()));
        }
        var last = new IdentityHashMap<Node, Integer>();
        for (Kernel k : kernels)
            for (Node in : k.inputs()) last.merge(base.getOrDefault(in, in), k.id(), Math::max);
        for (Node out : p.graph().outputs()) last.put(base.getOrDefault(out, out), END);
        var buffers = new ArrayList<Buffer>(workspaces);
        for (Node o : written) buffers.add(new Buffer(o, false, bytes(o), 0, born.get(o), last.getOrDefault(o, born.get(o))));
        return place(buffers);
    }

    /** Greedy by size: each buffer at the smallest gap among placed buffers live with it that fits, else above them. */
    private static MemoryPlan place(List<Buffer> buffers) {
        buffers.sort(Comparator.comparingLong(Buffer::size).reversed().thenComparingInt(Buffer::first).thenComparingInt(Buffer::last));
        var placed = new ArrayList<Buffer>();
        long peak = 0, naive = 0;
        for (Buffer b : buffers) {
            var live = placed.stream().filter(b::liveWith).sorted(Comparator.comparingLong(Buffer::offset)).toList();
            long cursor = 0, best = -1, bestGap = Long.MAX_VALUE;
            for (Buffer o : live) {
                long gap = o.offset() - cursor;
                if (gap >= b.size() && gap < bestGap) { best = cursor; bestGap = gap; }
                cursor = Math.max(cursor, o.offset() + o.size());
            }
            long offset = best >= 0 ? best : cursor;
            var at = new Buffer(b.value(), b.workspace(), b.bytes(), offset, b.first(), b.last());
            placed.add(at);
            peak = Math.max(peak, offset + at.size());
            naive += at.size();
        }
        placed.sort(Comparator.comparingLong(Buffer::offset).thenComparingInt(Buffer::first));
        return new MemoryPlan(placed, peak, naive);
    }

    /** The problems of this plan: two buffers live at once that overlap, a misaligned one, one past the peak. */
    public List<String> verify() {
        var problems = new ArrayList<String>();
        for (int i = 0; i < buffers.size(); i++) {
            Buffer a = buffers.get(i);
            if (a.offset() % ALIGN != 0) problems.add("buffer at " + a.offset() + " is not " + ALIGN + "-byte aligned");
            if (a.offset() + a.bytes() > peak) problems.add("buffer at " + a.offset() + " ends past the peak " + peak);
            for (int j = i + 1; j < buffers.size(); j++) {
                Buffer b = buffers.get(j);
                boolean overlap = a.offset() < b.offset() + b.bytes() && b.offset() < a.offset() + a.bytes();
                if (overlap && a.liveWith(b))
                    problems.add("buffers at " + a.offset() + " (k" + a.first() + "..k" + a.last() + ") and " + b.offset()
                            + " (k" + b.first() + "..k" + b.last() + ") overlap while both are live");
            }
        }
        return problems;
    }

    /** A scan's workspace: its body's arena, and the step's slices and state (read by the body, written by the scan). */
    private static long workspace(Kernel k) {
        long inner = of(k.body()).peak();
        for (Node ph : Scan.placeholders(k.body().graph())) inner += align(bytes(ph));
        return inner;
    }

    static long bytes(Node n) {
        if (!(n.type() instanceof Type.Tensor t)) throw new Unplannable("a buffer of type " + n.type());
        if (!t.shape().isConcrete()) throw new Unplannable("a buffer of symbolic shape " + t);
        return t.shape().numel().value() * t.dtype().bytes;
    }

    static long align(long bytes) { return (bytes + ALIGN - 1) / ALIGN * ALIGN; }
}
