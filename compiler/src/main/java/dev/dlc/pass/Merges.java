package dev.dlc.pass;

import dev.dlc.diag.Span;
import dev.dlc.ir.FusedProgram;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import dev.dlc.ops.Fusion;
import dev.dlc.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The second half of {@link FusionPass}: merges the kernels its placement gave, then builds
 * the {@link Kernel} records (what each reads and writes, its source lines) and the list of
 * unfused edges.
 *
 * <ol>
 *   <li>Vertical: an elementwise kernel joins an earlier elementwise or opaque kernel over the
 *       same space whose values it reads at the same index (so the joined loop computes them
 *       before it needs them), when no kernel in between reads that kernel's values. The
 *       stored values stay outputs only where another kernel or the caller still reads them.
 *   <li>Horizontal: the elementwise kernels whose values no other kernel reads (in a train step,
 *       the optimizer's update of each parameter) become one kernel over their concatenated
 *       spaces, run where the last of them ran. Moving them later is always valid (nothing
 *       waits for them); it keeps what they read alive longer, as a fused optimizer step does.
 * </ol>
 */
final class Merges {

    /** A kernel being built: one part per iteration space. */
    record Proto(Kernel.Kind kind, List<Part> parts, FusedProgram body) {
        record Part(Shape space, List<Node> ops) {}

        Proto(Kernel.Kind kind, Shape space, List<Node> ops, FusedProgram body) { this(kind, List.of(new Part(space, ops)), body); }

        Shape space() { return parts.getFirst().space(); }

        List<Node> ops() {
            var out = new ArrayList<Node>();
            parts.forEach(p -> out.addAll(p.ops()));
            return out;
        }
    }

    private final Graph g;
    private final Map<Node, Integer> position;
    private final List<Proto> kernels;
    private final BiFunction<Node, Node, String> reason;

    Merges(Graph g, Map<Node, Integer> position, List<Proto> kernels, BiFunction<Node, Node, String> reason) {
        this.g = g;
        this.position = position;
        this.kernels = new ArrayList<>(kernels);
        this.reason = reason;
    }

    FusedProgram run() {
        while (mergeVertically()) { /* one join per round: the positions moved */ }
        mergeHorizontally();
        return build();
    }

    // ------------------------------------------------------------------ vertical

    private boolean mergeVertically() {
        for (int b = 0; b < kernels.size(); b++) {
            Proto later = kernels.get(b);
            if (later.kind() != Kernel.Kind.ELEMENTWISE) continue;
            for (int a = b - 1; a >= 0; a--) {
                Proto earlier = kernels.get(a);
                if (earlier.kind() != Kernel.Kind.ELEMENTWISE && earlier.kind() != Kernel.Kind.OPAQUE) continue;
                if (!earlier.space().equals(later.space()) || !readsAtSameIndex(later, earlier) || readBetween(a, b)) continue;
                var ops = new ArrayList<>(union(earlier.ops(), later.ops()));
                ops.sort(Comparator.comparing(position::get));
                kernels.set(b, new Proto(earlier.kind(), earlier.space(), ops, null));
                kernels.remove(a);
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code later} reads values of {@code earlier}, each by an elementwise op at the
     * point it computes, that op itself computed at the loop's own index: not read through a
     * movement op (a pad, a slice) of {@code later}, which would make the joined loop compute
     * {@code earlier}'s values again at each shifted index.
     */
    private static boolean readsAtSameIndex(Proto later, Proto earlier) {
        var mine = identitySet(later.ops());
        var theirs = identitySet(earlier.ops());
        var moved = moved(later.ops(), mine);
        boolean reads = false;
        for (Node m : later.ops()) {
            for (Node x : Scan.uses(m)) {
                if (!theirs.contains(x) || mine.contains(x)) continue;
                reads = true;
                Fusion k = FusionPass.fusion(m);
                if ((k != Fusion.ELEMWISE && k != Fusion.BROADCAST) || !FusionPass.shape(m).equals(FusionPass.shape(x)) || moved.contains(m))
                    return false;
            }
        }
        return reads;
    }

    /** The ops of a kernel that it computes at other indices than its loop's: read through a movement op, directly or not. */
    private static Set<Node> moved(List<Node> ops, Set<Node> mine) {
        var moved = Collections.<Node>newSetFromMap(new IdentityHashMap<>());
        // ops are in program order: a user comes after what it reads
        for (int i = ops.size() - 1; i >= 0; i--) {
            Node u = ops.get(i);
            if (FusionPass.fusion(u) != Fusion.INJECTIVE && !moved.contains(u)) continue;
            for (Node x : Scan.uses(u)) if (mine.contains(x)) moved.add(x);
        }
        return moved;
    }

    /** Whether a kernel strictly between positions a and b reads a value of kernel a. */
    private boolean readBetween(int a, int b) {
        var theirs = identitySet(kernels.get(a).ops());
        for (int k = a + 1; k < b; k++) if (!reads(kernels.get(k), theirs).isEmpty()) return true;
        return false;
    }

    // ------------------------------------------------------------------ horizontal

    private void mergeHorizontally() {
        var terminal = new ArrayList<Integer>();
        for (int k = 0; k < kernels.size(); k++) {
            if (kernels.get(k).kind() != Kernel.Kind.ELEMENTWISE) continue;
            var mine = identitySet(kernels.get(k).ops());
            int kk = k;
            boolean read = false;
            for (int o = 0; o < kernels.size() && !read; o++) if (o != kk && !reads(kernels.get(o), mine).isEmpty()) read = true;
            if (!read) terminal.add(k);
        }
        if (terminal.size() < 2) return;
        var parts = new ArrayList<Proto.Part>();
        for (int k : terminal) parts.addAll(kernels.get(k).parts());
        kernels.set(terminal.getLast(), new Proto(Kernel.Kind.HORIZONTAL, parts, null));
        for (int i = terminal.size() - 2; i >= 0; i--) kernels.remove((int) terminal.get(i));
    }

    // ------------------------------------------------------------------ records

    private FusedProgram build() {
        var readers = new IdentityHashMap<Node, Boolean>();
        for (Proto k : kernels) for (Node x : reads(k, null)) readers.put(x, true);
        var outs = identitySet(g.outputs());
        var result = new ArrayList<Kernel>();
        var unfused = new ArrayList<FusedProgram.Unfused>();
        var edges = new java.util.HashSet<Long>();
        for (Proto k : kernels) {
            var parts = new ArrayList<Kernel.Part>();
            for (Proto.Part p : k.parts()) {
                var written = p.ops().stream().filter(n -> outs.contains(n) || readers.containsKey(n)).toList();
                parts.add(new Kernel.Part(p.space(), p.ops(), written));
            }
            var inputs = reads(k, null);
            var outputs = parts.stream().flatMap(p -> p.outputs().stream()).toList();
            result.add(new Kernel(result.size(), k.kind(), parts, inputs, outputs, k.body(), lines(k.ops())));
            var mine = identitySet(k.ops());
            for (Node c : k.ops()) {
                // Once per edge (an op recomputed in two kernels reads the same value in both); values
                // from outside a scan body are not this graph's edges.
                for (Node p : Scan.uses(c))
                    if ((p instanceof Node.Apply || p instanceof Node.Project) && !mine.contains(p) && position.containsKey(p)
                            && edges.add((long) position.get(p) << 32 | position.get(c)))
                        unfused.add(new FusedProgram.Unfused(p, c, reason.apply(p, c)));
            }
        }
        return new FusedProgram(g, result, unfused);
    }

    /**
     * The values kernel {@code k} reads from memory, first use first: what its ops use and it does
     * not compute (scalar constants are immediates). With {@code among}, only those of that set.
     */
    private static List<Node> reads(Proto k, Set<Node> among) {
        var mine = identitySet(k.ops());
        var out = new ArrayList<Node>();
        var seen = Collections.<Node>newSetFromMap(new IdentityHashMap<>());
        for (Node c : k.ops())
            for (Node u : Scan.uses(c))
                if (!(u instanceof Node.Const) && !mine.contains(u) && (among == null || among.contains(u)) && seen.add(u)) out.add(u);
        return out;
    }

    /** One span per distinct file and line among the ops' locations, in file then line order. */
    private List<Span> lines(List<Node> ops) {
        var byLine = new TreeMap<String, Span>();
        for (Node n : ops) {
            Span s = g.loc(n);
            if (s != null) byLine.putIfAbsent(s.source().path() + ":" + String.format("%08d", s.line()), s);
        }
        return List.copyOf(byLine.values());
    }

    private static Set<Node> identitySet(List<Node> nodes) {
        var s = Collections.<Node>newSetFromMap(new IdentityHashMap<>());
        s.addAll(nodes);
        return s;
    }

    private static Set<Node> union(List<Node> a, List<Node> b) {
        var s = identitySet(a);
        s.addAll(b);
        return s;
    }
}
