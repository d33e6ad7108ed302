package dev.dlc.pass;

import dev.dlc.ir.FusedProgram;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import dev.dlc.ops.Fusion;
import dev.dlc.ops.OpDef;
import dev.dlc.ops.OpTable;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The fuse pass: splits a graph into kernels ({@link Kernel}), reading only each
 * op's fusion kind from the op table (and its {@code view} column), never its name.
 *
 * <p>First every computed value is placed, consumers before producers (reverse program order),
 * so that a producer sees the kernels its consumers ended in. A value is <em>stored</em> (a
 * kernel of its own writes it to memory) by default; {@link #place} lets it be computed inside
 * its consumers' kernel instead when
 * <ul>
 *   <li>it is elementwise, broadcast or movement and all its consumers are in one kernel; or it
 *       is {@link #recomputable} (movement, a broadcast-kind op of one tensor such as
 *       {@code y != -100}, a source) and is recomputed in each of several kernels: one load and
 *       at most one cheap op cost about what loading a stored copy costs; a computed value
 *       the kernel would read under more than {@link #MAX_INDEX_MAPS} index maps (through
 *       different pads or slices) is stored, since the nest computes it again at each;
 *   <li>it is a reduction and its consumer's kernel iterates either the reduction's result
 *       (an epilogue: {@code -sum(x)}) or the reduction's input with the same reduced axes as
 *       the kernel's other rows (a row: softmax's {@code x - max(x)}), and holds no opaque op;
 *   <li>it is opaque (matmul, conv) and its only consumer starts an elementwise chain over its
 *       result, views included (bias add, activation, an optimizer update): the chain becomes
 *       its epilogue.
 * </ul>
 * An opaque op or a scan reads its operands from memory (no prologue), and reshape/flatten
 * that cannot be fused become views: kernels that copy nothing.
 *
 * <p>Then two merges, in {@link Merges}: an elementwise kernel joins the elementwise or opaque
 * kernel whose result it reads at the same index (Adam's m, v and p updates, and a matmul's
 * epilogue continuing after a stored value), and the elementwise kernels whose results no other
 * kernel reads (the parameter updates at the end of a train step) become one horizontal kernel.
 */
public final class FusionPass {
    public static final String NAME = "fuse";

    private enum Place { INLINE, STORE, VIEW }

    private final Graph g;
    private final Map<Node, Integer> position = new IdentityHashMap<>();
    private final Map<Node, List<Node>> users = new IdentityHashMap<>();
    private final Set<Node> outputs = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Node, Place> place = new IdentityHashMap<>();
    /** The roots of the kernels that compute a value: itself when stored, its consumers' roots when inlined. */
    private final Map<Node, Set<Node>> homes = new IdentityHashMap<>();
    /** A root's kernel: the values computed in it (the root included). */
    private final Map<Node, Set<Node>> members = new IdentityHashMap<>();
    /** Why a stored value's consumers do not compute it themselves. */
    private final Map<Node, String> why = new IdentityHashMap<>();
    /**
     * Per kernel root, the index maps under which that kernel computes a value: one per chain of
     * movement ops (pad, slice, stack...) between the value and the root, as hashes. The nest
     * computes an inlined value once for each (its code is emitted again at every other index).
     */
    private final Map<Node, Map<Node, Set<Long>>> indexMaps = new IdentityHashMap<>();
    /** The consumer that made a value stored by reading it from memory (an opaque op, a scan, a view), if one did. */
    private final Map<Node, Node> storedFor = new IdentityHashMap<>();

    private FusionPass(Graph g) {
        this.g = g;
        var nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            position.put(n, i);
            for (Node u : new LinkedHashSet<>(Scan.uses(n))) users.computeIfAbsent(u, _ -> new ArrayList<>()).add(n);
        }
        outputs.addAll(g.outputs());
    }

    /** The kernels of {@code g}, scan bodies fused recursively. */
    public static FusedProgram run(Graph g) {
        var pass = new FusionPass(g);
        var nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) pass.place(nodes.get(i));
        return new Merges(pass.g, pass.position, pass.kernels(), pass::reason).run();
    }

    // ------------------------------------------------------------------ placing values

    private void place(Node n) {
        switch (n) {
            case Node.Input _, Node.Param _, Node.Const _ -> {} // leaves: in memory outside, or immediates
            case Node.Project p -> {
                // A part of a tuple (split, scan) is written by the kernel that computes the tuple.
                put(p, Place.STORE, p.tuple(), "a part of a tuple: written by the kernel of " + opName(p.tuple()));
            }
            case Node.Apply a -> placeApply(a);
        }
    }

    private void placeApply(Node.Apply a) {
        var us = users.getOrDefault(a, List.of());
        if (outputs.contains(a)) { keep(a, "a graph output: stored for the caller"); return; }
        if (us.isEmpty()) { keep(a, "nothing reads it"); return; }
        if (Scan.is(a)) { keep(a, "a scan is a kernel of its own"); return; }
        if (a.type() instanceof Type.Tuple) { keep(a, a.op() + " has a tuple result: one kernel writes every part"); return; }
        for (Node u : us) {
            String blocked = readsFromMemory(u);
            if (blocked != null) {
                storedFor.put(a, u);
                keep(a, blocked);
                return;
            }
        }
        var ks = Collections.<Node>newSetFromMap(new IdentityHashMap<>());
        for (Node u : us) ks.addAll(homes.get(u));
        OpDef def = def(a);
        var maps = indexMaps(a, us, ks);
        if (ks.size() > 1) {
            if (recomputable(a, def)) inline(a, ks);
            else keep(a, "used by " + ks.size() + " kernels: " + a.op() + " (" + def.fusion() + ") is stored once rather than computed in each");
            return;
        }
        Node root = ks.iterator().next();
        int count = maps.get(root).size();
        String refused = switch (def.fusion()) {
            case ELEMWISE, BROADCAST, INJECTIVE -> recomputable(a, def) || count <= MAX_INDEX_MAPS ? null
                    : "read at " + (count > MAP_CAP ? "over " + MAP_CAP : count) + " different indices in the kernel of " + opName(root)
                      + " (through movement ops): stored once rather than computed at each";
            case REDUCE -> reductionInto(a, root);
            case OPAQUE -> epilogueOf(a, us, root);
        };
        if (refused == null) inline(a, ks);
        else keep(a, refused);
    }

    /**
     * How many index maps an inlined computation may be evaluated under: two (a value and its
     * shift) cost less than a store and a load; a max pool's gradient read by its nine window
     * offsets, with the pool gradient of the layer above inlined in turn, cost 81 evaluations
     * per element (GoogLeNet: seconds a step, and nests too long for one Java method).
     */
    private static final int MAX_INDEX_MAPS = 2;
    /** Index maps are counted up to here only. */
    private static final int MAP_CAP = 64;

    /** {@link #indexMaps}' entry for {@code a} from those of its users (all placed already), per kernel root. */
    private Map<Node, Set<Long>> indexMaps(Node a, List<Node> us, Set<Node> roots) {
        var out = new IdentityHashMap<Node, Set<Long>>();
        for (Node u : us)
            for (var e : indexMaps.getOrDefault(u, Map.of()).entrySet()) {
                var set = out.computeIfAbsent(e.getKey(), _ -> new HashSet<>());
                boolean moves = fusion(u) == Fusion.INJECTIVE;
                for (long m : e.getValue()) {
                    if (set.size() > MAP_CAP) break;
                    set.add(moves ? m * 1_000_003L + position.get(u) + 1 : m);
                }
            }
        for (Node r : roots) out.computeIfAbsent(r, _ -> new HashSet<>(Set.of(0L)));
        indexMaps.put(a, out);
        return out;
    }

    /** Why consumer {@code u} reads its arguments from memory whatever they are; null when it can compute them. */
    private String readsFromMemory(Node u) {
        if (Scan.is(u)) return "the scan reads it from memory at every step";
        if (u instanceof Node.Apply a && def(a).fusion() == Fusion.OPAQUE)
            return a.op() + " is OPAQUE: it reads its operands from memory, no producer is fused into it";
        if (place.get(u) == Place.VIEW) return opName(u) + " is a view of its buffer";
        return null;
    }

    /**
     * Whether {@code a} is recomputed in every kernel that reads it rather than stored: it moves
     * data (INJECTIVE), or is a BROADCAST-kind op reading one tensor (a broadcast, a comparison
     * or arithmetic with a constant), or reads nothing (a source). Each costs one load and at
     * most one cheap op, about what loading a stored copy costs. ELEMWISE ops (exp, tanh, casts)
     * are stored: they may be transcendental, and recomputing a chain of them multiplies.
     */
    private static boolean recomputable(Node.Apply a, OpDef def) {
        long tensors = a.args().stream().filter(x -> !(x instanceof Node.Const)).count();
        return def.fusion() == Fusion.INJECTIVE || (def.fusion() == Fusion.BROADCAST && tensors <= 1) || a.args().isEmpty();
    }

    /**
     * Reductions one kernel holds at most. Each is a loop of its own in the kernel's nest, and a
     * nest is one Java method: a global gradient norm, one sum of squares per parameter added
     * up, made the transformer's a nest of 70,000 characters, which ran through the interpreter
     * (21 ms of a step). Past this many, a reduction is a kernel of its own.
     */
    private static final int MAX_REDUCTIONS = 16;

    /** Null when reduction {@code a} can run inside the kernel of {@code root}, else why not. */
    private String reductionInto(Node.Apply a, Node root) {
        Node opaque = find(root, Fusion.OPAQUE);
        if (opaque != null) return "the kernel of " + opName(root) + " is the elementwise epilogue of " + opName(opaque);
        long reductions = members.get(root).stream().filter(m -> m instanceof Node.Apply && fusion(m) == Fusion.REDUCE).count();
        if (reductions >= MAX_REDUCTIONS)
            return "the kernel of " + opName(root) + " holds " + reductions + " reductions already: each is a loop of the one method its nest is";
        Shape in = shape(a.args().getFirst()), out = shape(a), space = space(root);
        if (out.numel().equals(shape(root).numel())) return null; // an epilogue of the reduction: one inner loop per point
        if (in.equals(space)) {                                     // a row: reduced once per kept index, broadcast back
            String order = rowOrder(a, in);
            if (order != null) return order;
            for (Node m : members.get(root))
                if (fusion(m) == Fusion.REDUCE && shape(((Node.Apply) m).args().getFirst()).equals(space) && !reducedAxes(m).equals(reducedAxes(a)))
                    return a.op() + " reduces axes " + reducedAxes(a) + " of " + space + " but the kernel of " + opName(root)
                            + " reduces axes " + reducedAxes(m) + " (" + opName(m) + "): one row shape per kernel";
            return null;
        }
        return a.op() + " reduces " + in + " to " + out + "; the kernel of " + opName(root) + " iterates " + space + " to compute "
                + shape(root) + ": the reduction would be neither one value per point of it nor a row of its space";
    }

    /**
     * Null when the axes reduction {@code a} keeps all come before the ones it reduces (sizes 1
     * aside). A kernel's loops run in axis order and a value is computed in the loop of its last
     * index; a reduced axis outside a kept one would redo the whole reduction for each of its
     * values (batch norm's sums over N, H and W, broadcast back, took 16 times the work at batch 16).
     */
    private static String rowOrder(Node.Apply a, Shape in) {
        var reduced = reducedAxes(a);
        int lastKept = -1, firstReduced = Integer.MAX_VALUE;
        for (int k = 0; k < in.rank(); k++) {
            if (in.dim(k).isConst() && in.dim(k).value() == 1) continue;
            if (reduced.contains(k)) firstReduced = Math.min(firstReduced, k);
            else lastKept = k;
        }
        if (firstReduced > lastKept) return null;
        return a.op() + " reduces axis " + firstReduced + " of " + in + " but keeps axis " + lastKept
                + ": inside the loop over the reduced axis it would be recomputed for each of its values";
    }

    /**
     * Null when opaque {@code a} can take the kernel of {@code root} as its epilogue, else why not.
     * An epilogue is elementwise over the opaque op's result at the same linear index: elementwise
     * and broadcast ops of as many elements, and views (a reshape reads the same index).
     */
    private String epilogueOf(Node.Apply a, List<Node> us, Node root) {
        if (us.size() != 1) return a.op() + " is OPAQUE and read by " + us.size() + " ops: an epilogue continues one consumer";
        Node u = us.getFirst();
        if (!continuesEpilogue(u, a)) return a.op() + " is OPAQUE: its consumer " + opName(u) + " is " + fusion(u) + " and not an epilogue";
        Node other = find(root, Fusion.OPAQUE);
        if (other != null) return "the kernel of " + opName(root) + " already runs " + opName(other) + " (OPAQUE)";
        Node reduce = find(root, Fusion.REDUCE);
        if (reduce != null) return "the kernel of " + opName(root) + " reduces (" + opName(reduce) + "): an epilogue is elementwise";
        for (Node m : dependents(a, members.get(root)))
            if (!continuesEpilogue(m, a))
                return "its epilogue would reach " + opName(m) + " (" + fusion(m) + ", " + m.type() + "), not elementwise over " + a.type();
        return null;
    }

    /**
     * The axes a reduction combines, from its {@code axis} argument as every reduction row of the
     * op table binds it: one axis, a list, or absent for all of them; negative from the end.
     */
    private static SortedSet<Integer> reducedAxes(Node n) {
        var a = (Node.Apply) n;
        int rank = shape(a.args().getFirst()).rank();
        var out = new TreeSet<Integer>();
        if (rank == 0) return out;
        switch (a.attrs().get("axis")) {
            case null -> { for (int i = 0; i < rank; i++) out.add(i); }
            case Long l -> out.add((int) Math.floorMod(l, rank));
            case List<?> l -> l.forEach(x -> out.add((int) Math.floorMod(((Number) x).longValue(), rank)));
            default -> throw new IllegalStateException(a.op() + ": an axis argument " + a.attrs().get("axis"));
        }
        return out;
    }

    private static boolean continuesEpilogue(Node m, Node opaque) {
        Fusion k = fusion(m);
        return (k == Fusion.ELEMWISE || k == Fusion.BROADCAST || isView(m)) && shape(m).numel().equals(shape(opaque).numel());
    }

    private static boolean isView(Node n) { return n instanceof Node.Apply a && !Scan.is(a) && def(a).view(); }

    /** The members of a kernel that depend on {@code a}, directly or through other members. */
    private List<Node> dependents(Node a, Set<Node> kernel) {
        var seen = Collections.<Node>newSetFromMap(new IdentityHashMap<>());
        var work = new ArrayList<>(users.getOrDefault(a, List.of()));
        while (!work.isEmpty()) {
            Node m = work.removeLast();
            if (kernel.contains(m) && seen.add(m)) work.addAll(users.getOrDefault(m, List.of()));
        }
        var out = new ArrayList<>(seen);
        out.sort((x, y) -> position.get(x) - position.get(y)); // program order: the first one that fails is named
        return out;
    }

    private void inline(Node n, Set<Node> roots) {
        place.put(n, Place.INLINE);
        homes.put(n, roots);
        for (Node r : roots) members.get(r).add(n);
    }

    /** Stores {@code a}, or makes it a view when its row says its result is its argument's buffer. */
    private void keep(Node.Apply a, String reason) {
        put(a, def(a) != null && def(a).view() ? Place.VIEW : Place.STORE, a, reason);
    }

    private void put(Node n, Place p, Node root, String reason) {
        place.put(n, p);
        indexMaps.put(n, Map.of(root, Set.of(0L)));
        homes.put(n, Set.of(root));
        members.computeIfAbsent(root, _ -> Collections.newSetFromMap(new IdentityHashMap<>())).add(n);
        why.put(n, reason);
    }

    /** Why {@code consumer} reads {@code producer} from memory (the producer's kernel stored it). */
    private String reason(Node producer, Node consumer) {
        String blocked = readsFromMemory(consumer);
        if (blocked != null) return blocked;
        if (fusion(producer) == Fusion.OPAQUE && producer instanceof Node.Apply a && !Scan.is(a) && !continuesEpilogue(consumer, producer))
            return a.op() + " is OPAQUE: its consumer " + opName(consumer) + " is " + fusion(consumer) + " and not an epilogue";
        Node other = storedFor.get(producer);
        if (other != null) return "kept in memory for " + opName(other) + ", which reads it from there";
        return why.getOrDefault(producer, "stored");
    }

    // ------------------------------------------------------------------ kernels from the placement

    /** One proto-kernel per stored or view value, in program order (each after what it reads). */
    private List<Merges.Proto> kernels() {
        var out = new ArrayList<Merges.Proto>();
        for (Node n : g.nodes()) {
            if (n instanceof Node.Project || !(place.get(n) instanceof Place p) || p == Place.INLINE) continue;
            var ops = new ArrayList<>(members.get(n));
            ops.sort((x, y) -> position.get(x) - position.get(y));
            var body = Scan.is(n) ? run(Scan.of((Node.Apply) n).body()) : null;
            out.add(new Merges.Proto(kindOf(n, p, ops), space(n), ops, body));
        }
        return out;
    }

    private static Kernel.Kind kindOf(Node root, Place p, List<Node> ops) {
        if (p == Place.VIEW) return Kernel.Kind.VIEW;
        if (Scan.is(root)) return Kernel.Kind.SCAN;
        // The parts of a tuple (a split's) are not ops: only applications decide the kind.
        var applied = ops.stream().filter(m -> m instanceof Node.Apply).toList();
        if (applied.stream().anyMatch(m -> fusion(m) == Fusion.OPAQUE)) return Kernel.Kind.OPAQUE;
        if (applied.stream().anyMatch(m -> fusion(m) == Fusion.REDUCE)) return Kernel.Kind.REDUCE;
        return Kernel.Kind.ELEMENTWISE;
    }

    /**
     * The iteration space of the kernel rooted at {@code root}: a reduction's or a tuple op's
     * input (it loops over what it reads), a scan's steps, else the result.
     */
    private static Shape space(Node root) {
        if (Scan.is(root)) {
            var s = Scan.of((Node.Apply) root);
            var x = (Type.Tensor) s.xs().getFirst().type();
            return Shape.of(List.of(x.dim(Scan.sliceAxis(s.axis(), x.rank()))));
        }
        if (root instanceof Node.Apply a && !a.args().isEmpty()
                && (root.type() instanceof Type.Tuple || fusion(root) == Fusion.REDUCE)) return shape(a.args().getFirst());
        return shape(root);
    }

    // ------------------------------------------------------------------ the op table, read by kind only

    /** The first op of the kernel of {@code root} of this fusion kind, or null (a tuple's parts are not ops). */
    private Node find(Node root, Fusion kind) {
        return members.get(root).stream().filter(m -> m instanceof Node.Apply && fusion(m) == kind).min((x, y) -> position.get(x) - position.get(y)).orElse(null);
    }

    static OpDef def(Node.Apply a) {
        if (Scan.is(a)) return null;
        return OpTable.forNode(a.op(), a.args().size()).orElseThrow(() -> new IllegalStateException("no primitive '" + a.op() + "'"));
    }

    /** An op's fusion kind; a scan and a tuple's part count as OPAQUE (they fuse with nothing). */
    static Fusion fusion(Node n) {
        return n instanceof Node.Apply a && !Scan.is(a) ? def(a).fusion() : Fusion.OPAQUE;
    }

    static Shape shape(Node n) { return n.type() instanceof Type.Tensor t ? t.shape() : Shape.SCALAR; }

    static String opName(Node n) {
        return switch (n) {
            case Node.Apply a -> a.op();
            case Node.Project p -> opName(p.tuple()) + " part " + p.index();
            case Node.Input in -> in.name();
            case Node.Param p -> p.path();
            case Node.Const c -> "const";
        };
    }
}
