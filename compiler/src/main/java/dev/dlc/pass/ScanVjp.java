package dev.dlc.pass;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The derivative of a scan, as scans (JAX's scan transpose). For the forward
 * <pre>  (ys, s_T) = scan(xs, s_0) with s_{t+1} = f(x_t, s_t), y_t = f_y(x_t, s_t)</pre>
 * reading enclosing values c (weights), the backward is
 * <ol>
 *   <li>a <em>residual</em> scan: the same body and steps, stacking the state s_t entering
 *       each step and the <em>stash</em>, the forward body's values the VJP reads (the
 *       forward graph is left as it is; {@link ScanMergePass} merges the two);</li>
 *   <li>a <em>reverse</em> scan over the same steps whose body is the VJP of f, built by the
 *       autodiff sweep on the body: it slices (x_t, s_t, dys_t, stash_t), carries ds (the
 *       state's cotangent, from the final state's) and one accumulator per enclosing value,
 *       <pre>  (dx_t, ds_t, dc) = (f^T(x_t, s_t) (dys_t, ds_{t+1}), ..., dc + dc_t)</pre>
 *       and stacks dx_t.</li>
 * </ol>
 * dxs, ds_0 and every dc then flow to the enclosing sweep, which adds them to other uses.
 * Both scans carry the forward scan's site, and their bodies keep the forward body's nodes
 * first, in order: every step t draws the same random streams (dropout masks) as forward step t.
 */
final class ScanVjp {
    private ScanVjp() {}

    /**
     * (value, cotangent) for the scan's arguments and the enclosing values its body reads.
     * {@code g} holds the cotangents of the scan's results (null: none, or no tuple part used);
     * {@code position} is the scan's index in its graph, its stream when it names none;
     * {@code active} the enclosing sweep's nodes that need a cotangent.
     */
    static List<Node[]> vjp(Builder b, Scan s, Node[] g, int position, Set<Node> active) {
        g = g != null ? g : new Node[s.stacked() + s.state().size()];
        long site = s.node().site(position);
        var body = new Graph();
        for (Node n : s.body().nodes()) body.add(n, s.body().loc(n));
        var bb = new Builder(body);

        // Sliced in the backward: the forward's slices, the entering states, the ys' cotangents
        // (then the stashed forward values, when there are any).
        var cotangents = new ArrayList<Node>();
        Map<Node, Node> seeds = new IdentityHashMap<>();
        for (int i = 0; i < s.stacked(); i++) {
            Node y = s.ys().get(i);
            if (g[i] == null || !AutodiffPass.isFloat(y)) continue;
            seeds.merge(y, placeholder(body, "scan.g." + i, y), bb::add);
            cotangents.add(g[i]);
        }
        // Carried: the float state's cotangent, starting from the final state's.
        var init = new ArrayList<Node>();
        var carried = new ArrayList<Integer>();
        for (int i = 0; i < s.state().size(); i++) {
            Node st = s.state().get(i);
            if (!AutodiffPass.isFloat(st)) continue;
            seeds.merge(s.next().get(i), placeholder(body, "scan.ds." + i, st), bb::add);
            Node gi = g[s.stacked() + i];
            init.add(gi != null ? gi : b.zeros((Type.Tensor) st.type()));
            carried.add(i);
        }
        var reads = Scan.reads(s.body()).stream().filter(c -> active.contains(c) && AutodiffPass.isFloat(c)).toList();
        var wrt = new ArrayList<Node>(s.slices());
        wrt.addAll(s.state());
        wrt.addAll(reads);
        var inner = AutodiffPass.backprop(s.body(), bb, seeds, wrt);

        var outs = new ArrayList<Node>();
        var flows = new ArrayList<Node[]>();
        var stackedFrom = new ArrayList<Node>();    // the forward argument each stacked output is the cotangent of
        for (int i = 0; i < s.sliced(); i++) {
            Node x = s.xs().get(i), dx = inner.ct().get(s.slices().get(i));
            if (!active.contains(x) || !AutodiffPass.isFloat(x)) continue;
            if (dx == null) flows.add(new Node[] {x, null});
            else { outs.add(dx); stackedFrom.add(x); }
        }
        for (int i : carried) {
            Node st = s.state().get(i), ds = inner.ct().get(st);
            outs.add(ds != null ? ds : bb.zeros((Type.Tensor) st.type()));
        }
        var accumulated = new ArrayList<Node>();
        for (int j = 0; j < reads.size(); j++) {
            Node c = reads.get(j), dc = inner.ct().get(c);
            if (dc == null) { flows.add(new Node[] {c, null}); continue; }
            Node acc = placeholder(body, "scan.acc." + j, c);
            outs.add(bb.add(acc, dc));
            init.add(b.zeros((Type.Tensor) c.type()));
            accumulated.add(c);
        }
        Set<Node> forward = forwardOps(s);
        List<Node> stash = stash(s, forward, body, outs);
        List<Node> residual = residual(b, s, site, stash);
        var sliced = new ArrayList<Node>(s.xs());
        sliced.addAll(residual.subList(0, s.state().size()));
        sliced.addAll(cotangents);
        Graph backwardBody;
        if (stash.isEmpty()) {
            var kept = new ArrayList<>(s.body().nodes());
            kept.addAll(Scan.placeholders(body));
            backwardBody = AutodiffPass.pruned(kept, body, outs);
        } else {
            backwardBody = reading(forward, body, stash, sliced.size(), outs);
            sliced.addAll(residual.subList(s.state().size(), residual.size()));
        }

        var args = new ArrayList<Node>(sliced);
        args.addAll(init);
        Node back = b.apply(Scan.OP, args, attrs(s, backwardBody, !s.reverse(), sliced.size(), stackedFrom.size(), site));
        int k = 0;
        for (Node x : stackedFrom) flows.add(new Node[] {x, b.project(back, k++)});
        for (int i : carried) flows.add(new Node[] {s.init().get(i), b.project(back, k++)});
        for (Node c : accumulated) flows.add(new Node[] {c, b.project(back, k++)});
        return flows;
    }

    /**
     * The state entering every step and the stashed forward values, stacked: the forward scan
     * again (same arguments, body nodes, direction and site), its body returning its state
     * placeholders and the stash as per-step outputs. {@link ScanMergePass} merges it into the
     * forward scan, which then stacks them as it goes.
     */
    private static List<Node> residual(Builder b, Scan s, long site, List<Node> stash) {
        if (s.state().isEmpty() && stash.isEmpty()) return List.of();
        var body = new Graph();
        for (Node n : s.body().nodes()) body.add(n, s.body().loc(n));
        s.state().forEach(body::output);
        stash.forEach(body::output);
        s.next().forEach(body::output);
        int stacked = s.state().size() + stash.size();
        Node r = b.apply(Scan.OP, s.node().args(), attrs(s, body, s.reverse(), s.sliced(), stacked, site));
        var out = new ArrayList<Node>();
        for (int i = 0; i < stacked; i++) out.add(b.project(r, i));
        return out;
    }

    /**
     * The forward body's values the backward reads (in the forward's order): stacked by the
     * residual scan and sliced by the reverse one, they are read, not computed again. The
     * reverse body then holds no forward op: an LSTM's step no longer repeats its gates'
     * matmuls. Empty (the backward recomputes the forward) when the body holds a scan, whose
     * own backward reads the forward body's values from inside its body, or a tuple is read.
     */
    private static List<Node> stash(Scan s, Set<Node> forward, Graph body, List<Node> outs) {
        if (s.body().nodes().stream().anyMatch(Scan::is)) return List.of();
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(outs);
        for (Node n : body.nodes().reversed())
            if (live.contains(n) && !forward.contains(n)) live.addAll(Scan.uses(n));
        var stash = s.body().nodes().stream().filter(n -> forward.contains(n) && live.contains(n)).toList();
        return stash.stream().allMatch(n -> n.type() instanceof Type.Tensor) ? stash : List.of();
    }

    /** The forward body's computed values (not its placeholders or constants). */
    private static Set<Node> forwardOps(Scan s) {
        Set<Node> ops = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : s.body().nodes()) if (n instanceof Node.Apply || n instanceof Node.Project) ops.add(n);
        return ops;
    }

    /**
     * The reverse body reading the stash: its placeholders in order (the {@code slicedBefore}
     * sliced ones, one per stashed value, then the carried ones), and the backward's ops with
     * every stashed value replaced by its placeholder; no forward op is left.
     */
    private static Graph reading(Set<Node> forward, Graph body, List<Node> stash, int slicedBefore, List<Node> outs) {
        var pruned = AutodiffPass.pruned(List.of(), body, outs);
        var out = new Graph();
        var map = new IdentityHashMap<Node, Node>();
        var placeholders = Scan.placeholders(body);
        for (Node ph : placeholders.subList(0, slicedBefore)) map.put(ph, out.add(ph, body.loc(ph)));
        for (int k = 0; k < stash.size(); k++)
            map.put(stash.get(k), out.add(new Node.Input("scan.r." + k, (Type.Tensor) stash.get(k).type()), body.loc(stash.get(k))));
        for (Node ph : placeholders.subList(slicedBefore, placeholders.size())) map.put(ph, out.add(ph, body.loc(ph)));
        for (Node n : pruned.nodes()) {
            if (map.containsKey(n) || forward.contains(n)) continue;
            map.put(n, out.add(Node.remapped(n, map), body.loc(n)));
        }
        for (Node o : outs) out.output(map.getOrDefault(o, o));
        return out;
    }

    /** A placeholder of the backward body of the type of the forward value {@code like} (a step's value). */
    private static Node placeholder(Graph body, String name, Node like) {
        return body.add(new Node.Input(name, (Type.Tensor) like.type()), null);
    }

    private static Map<String, Object> attrs(Scan s, Graph body, boolean reverse, int sliced, int stacked, long site) {
        var attrs = new HashMap<String, Object>();
        attrs.put("axis", (long) s.axis());
        attrs.put("body", body);
        attrs.put("sliced", (long) sliced);
        attrs.put("stacked", (long) stacked);
        attrs.put("site", site);
        if (reverse) attrs.put("reverse", true);
        return attrs;
    }
}
