package dev.dlc.pass;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scan merging ("scan-merge"): two scans over the same arguments, in the same direction, under
 * the same random stream and computing the same next state are one loop. The later one's
 * stacked outputs join the earlier one's (a value both stack, once), and both are replaced by
 * the merged scan:
 * <pre>  scan(xs, s0){f: ys_a, next}, scan(xs, s0){f: ys_b, next}  =>  scan(xs, s0){f: ys_a, ys_b, next}</pre>
 * The backward of a scan ({@link ScanVjp}) reruns the forward to stack the state entering each
 * step (the residual scan); merged, the forward stacks it as it goes, and the forward's body
 * runs once instead of twice (an LSTM language model's step: a forward pass of the recurrence
 * saved per layer).
 *
 * <p>The later scan must read, from outside its body, only what the earlier one reads (the
 * merged scan stands where the earlier one stood), and neither body may hold a scan. The
 * replaced scans are dropped with everything else nothing reads ({@link DeadCodePass}).
 */
public final class ScanMergePass {
    private ScanMergePass() {}

    public static final String NAME = "scan-merge";

    public static Graph run(Graph g) {
        // A pair whose arguments come from a pair merged in the same rewrite is rebuilt there
        // first, so it is found in the next round: one round per layer of a stacked RNN.
        for (int round = 0; round < MAX_ROUNDS; round++) {
            var later = new IdentityHashMap<Node, Node.Apply>();
            var streams = new IdentityHashMap<Node, Long>();
            pairs(g, later, streams);
            // keyed by the rebuilt scans, which their rebuilt projections read; the later scan's waits for it under its original
            var merged = new IdentityHashMap<Node, Merge>();
            var waiting = new IdentityHashMap<Node, Merge>();
            var rewriter = new Rewriter(NAME);
            Graph out = rewriter.run(g, (n, b) -> {
                Node original = rewriter.original();
                if (later.containsKey(original)) {
                    var m = merge(Scan.of((Node.Apply) n), Scan.of((Node.Apply) original), Scan.of(later.get(original)), streams.get(original), b.graph());
                    if (m != null) {
                        var scan = b.apply(Scan.OP, ((Node.Apply) n).args(), m.attrs);
                        merged.put(n, new Merge(scan, m.fromA, m.states));
                        waiting.put(later.get(original), new Merge(scan, m.fromB, m.states));
                    }
                } else if (waiting.containsKey(original)) {
                    merged.put(n, waiting.get(original));
                } else if (n instanceof Node.Project p && merged.get(p.tuple()) instanceof Merge m) {
                    return new Node.Project(m.scan, m.index(p.index()), p.type());
                }
                return n;
            });
            if (merged.isEmpty()) return g;
            g = DeadCodePass.run(out); // the replaced scans, which would pair again
        }
        return g;
    }

    private static final int MAX_ROUNDS = 64;

    /** One replaced scan's place in the merged one: where each of its stacked outputs went; its state parts follow the {@code states} stacked ones. */
    private record Merge(Node scan, int[] stacked, int states) {
        int index(int i) { return i < stacked.length ? stacked[i] : states + i - stacked.length; }
    }

    /** The merged scan's attributes, and where each scan's stacked outputs are among its {@code states} stacked ones. */
    private record Merged(Map<String, Object> attrs, int[] fromA, int[] fromB, int states) {}

    /** Finds, in g and in every body, each scan's later twin (the first one that qualifies), and the stream they share. */
    private static void pairs(Graph g, Map<Node, Node.Apply> later, Map<Node, Long> streams) {
        var nodes = g.nodes();
        Set<Node> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < nodes.size(); i++) {
            if (!(nodes.get(i) instanceof Node.Apply a) || !Scan.is(a)) continue;
            pairs(Scan.of(a).body(), later, streams);
            if (taken.contains(a)) continue;
            for (int j = i + 1; j < nodes.size(); j++) {
                if (!(nodes.get(j) instanceof Node.Apply b) || !Scan.is(b) || taken.contains(b)) continue;
                if (twins(a, i, b, j)) {
                    later.put(a, b);
                    streams.put(a, a.site(i));
                    taken.add(b);
                    break;
                }
            }
        }
    }

    /** Same arguments, axis, direction, stream and placeholders; neither body holds a scan. */
    private static boolean twins(Node.Apply a, int ia, Node.Apply b, int ib) {
        if (a.args().size() != b.args().size()) return false;
        for (int k = 0; k < a.args().size(); k++) if (a.args().get(k) != b.args().get(k)) return false;
        Scan sa = Scan.of(a), sb = Scan.of(b);
        if (sa.axis() != sb.axis() || sa.sliced() != sb.sliced() || sa.reverse() != sb.reverse()) return false;
        if (a.site(ia) != b.site(ib) || !Scan.placeholders(sa.body()).equals(Scan.placeholders(sb.body()))) return false;
        // a body holding a scan: its body refers to the outer body's nodes, which a copy renews
        if (sa.body().nodes().stream().anyMatch(Scan::is) || sb.body().nodes().stream().anyMatch(Scan::is)) return false;
        return true;
    }

    /**
     * The merged scan's attributes: one body holding both bodies' nodes (equal nodes are one,
     * the graph interns them; commutative ops get one argument order, as {@link CsePass} gives
     * it, since cse ordered each body by its own positions), returning a's stacked outputs, b's, then the next state, which
     * must be the same nodes in both. {@code a} is rebuilt (its body reads the rewritten
     * graph's values), {@code b} not yet: it may read only what {@code a} read before it was
     * rebuilt ({@code was}), so that it stands where {@code a} stands. The merged scan names
     * the stream both drew from as its site. Null when it cannot merge.
     */
    private static Merged merge(Scan a, Scan was, Scan b, long stream, Graph enclosing) {
        List<Node> before = Scan.reads(was.body()), after = Scan.reads(a.body());
        if (before.size() != after.size()) return null;
        var outside = new IdentityHashMap<Node, Node>();
        for (int k = 0; k < before.size(); k++) outside.put(before.get(k), after.get(k));
        for (Node r : Scan.reads(b.body())) if (!outside.containsKey(r) && !(r instanceof Node.Const)) return null;
        var body = new Graph();
        var order = new IdentityHashMap<Node, Integer>();
        var nodes = enclosing.nodes();
        for (int k = 0; k < nodes.size(); k++) order.put(nodes.get(k), k - nodes.size()); // before the body's own
        var fromA = copy(a.body(), body, Map.of(), order);
        var fromB = copy(b.body(), body, outside, order);
        for (int k = 0; k < a.next().size(); k++)
            if (at(fromA, a.next().get(k)) != at(fromB, b.next().get(k))) return null;
        if (Scan.placeholders(body).size() != Scan.placeholders(a.body()).size()) return null;
        var stacked = new ArrayList<Node>();
        int[] indexA = new int[a.stacked()], indexB = new int[b.stacked()];
        for (int k = 0; k < indexA.length; k++) {
            indexA[k] = stacked.size();
            stacked.add(at(fromA, a.ys().get(k)));
        }
        for (int k = 0; k < indexB.length; k++) indexB[k] = stackOnce(stacked, at(fromB, b.ys().get(k)));
        stacked.forEach(body::output);
        for (Node s : a.next()) body.output(at(fromA, s));
        var attrs = new HashMap<>(a.node().attrs());
        attrs.put("body", body);
        attrs.put("stacked", (long) stacked.size());
        attrs.put("site", stream); // the stream both drew from, wherever the merged scan ends up
        return new Merged(attrs, indexA, indexB, stacked.size());
    }

    /** The index of {@code y} among the stacked outputs, added unless it is there already (a value the backward stashes is often a per-step output already). */
    private static int stackOnce(List<Node> stacked, Node y) {
        for (int k = 0; k < stacked.size(); k++) if (stacked.get(k) == y) return k;
        stacked.add(y);
        return stacked.size() - 1;
    }

    /** A body value's copy; a value from outside the body is itself. */
    private static Node at(Map<Node, Node> copies, Node n) { return copies.getOrDefault(n, n); }

    /**
     * Adds a body's nodes to {@code into}, arguments mapped (a value from outside the body as
     * {@code outside} says, else to itself), commutative arguments ordered by {@code order}, the
     * position of every node added so far.
     */
    private static Map<Node, Node> copy(Graph from, Graph into, Map<Node, Node> outside, Map<Node, Integer> order) {
        var map = new IdentityHashMap<Node, Node>(outside);
        for (Node n : from.nodes()) {
            Node canonical = CsePass.canonical(Node.remapped(n, map), new Builder(into, from.loc(n)), u -> order.getOrDefault(u, Integer.MAX_VALUE));
            Node added = into.add(canonical, from.loc(n));
            order.putIfAbsent(added, order.size());
            map.put(n, added);
        }
        return map;
    }
}
