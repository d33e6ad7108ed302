package dev.dlc.ir;

import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a fused program kernel by kernel, as a backend would, with the reference
 * {@link Interpreter} computing each kernel's ops: a kernel sees only the values it declares
 * it reads (so a kernel that reads what it does not list, or what no earlier kernel wrote,
 * fails), and only the values it writes are kept. A scan kernel runs its body rebuilt in the
 * order of the body's kernels. The oracle for the fusion pass and for generated kernels.
 *
 * <p>A node without a {@code site} draws its random numbers from its position in its graph
 * (see {@link Interpreter}); a kernel's graph puts it elsewhere, so every copied node gets its
 * original position as its site, and draws what the unfused program draws.
 */
public final class KernelInterpreter {
    private KernelInterpreter() {}

    /** The graph's outputs, computed kernel by kernel; inputs by name, parameters by path. */
    public static List<Tensor> run(FusedProgram p, Map<String, Tensor> inputs, Map<String, Tensor> params, Interpreter.Options options) {
        var memory = new IdentityHashMap<Node, Tensor>();
        var position = new IdentityHashMap<Node, Long>();
        number(p, position);
        for (Kernel k : p.kernels()) {
            var sub = new Graph();
            var map = new IdentityHashMap<Node, Node>();
            var given = new HashMap<String, Tensor>();
            for (Node in : k.inputs()) {
                String name = "k" + k.id() + ".in" + given.size();
                map.put(in, sub.add(new Node.Input(name, (Type.Tensor) in.type()), null));
                given.put(name, read(in, memory, inputs, params, k));
            }
            for (Node op : k.ops()) copy(op, map, sub, p.graph(), k, position);
            for (Node out : k.outputs()) sub.output(map.get(out));
            var results = Interpreter.run(sub, given, Map.of(), options);
            for (int i = 0; i < results.size(); i++) memory.put(k.outputs().get(i), results.get(i));
        }
        var out = new ArrayList<Tensor>();
        for (Node o : p.graph().outputs()) out.add(read(o, memory, inputs, params, null));
        return out;
    }

    /**
     * Runs one kernel of {@code p} alone, as {@link #run} runs each: {@code in} holds the values of
     * {@code k.inputs()} in order; returns the values of {@code k.outputs()} in order. A compiled
     * backend's fallback for kernels it does not generate. {@code positions} is {@link #positions(FusedProgram)}.
     */
    public static List<Tensor> runKernel(FusedProgram p, Kernel k, List<Tensor> in, Interpreter.Options options, Map<Node, Long> positions) {
        var sub = new Graph();
        var map = new IdentityHashMap<Node, Node>();
        var given = new HashMap<String, Tensor>();
        for (int i = 0; i < k.inputs().size(); i++) {
            Node input = k.inputs().get(i);
            String name = "k" + k.id() + ".in" + i;
            map.put(input, sub.add(new Node.Input(name, (Type.Tensor) input.type()), null));
            given.put(name, in.get(i));
        }
        for (Node op : k.ops()) copy(op, map, sub, p.graph(), k, positions);
        for (Node out : k.outputs()) sub.output(map.get(out));
        return Interpreter.run(sub, given, Map.of(), options);
    }

    /** Every node's position in its own graph, scan bodies included (the sites {@link #runKernel} gives copied nodes). */
    public static Map<Node, Long> positions(FusedProgram p) {
        var position = new IdentityHashMap<Node, Long>();
        number(p, position);
        return position;
    }

    /** Every node's position in its own graph, bodies included. */
    private static void number(FusedProgram p, Map<Node, Long> position) {
        var nodes = p.graph().nodes();
        for (int i = 0; i < nodes.size(); i++) position.put(nodes.get(i), (long) i);
        for (Kernel k : p.kernels()) if (k.body() != null) number(k.body(), position);
    }

    private static Tensor read(Node n, Map<Node, Tensor> memory, Map<String, Tensor> inputs, Map<String, Tensor> params, Kernel k) {
        Tensor t = switch (n) {
            case Node.Input in -> inputs.get(in.name());
            case Node.Param p -> params.get(p.path());
            case Node.Const c -> Tensor.scalar(c.type().dtype(), c.value());
            default -> memory.get(n);
        };
        if (t == null) throw new IllegalStateException((k == null ? "a graph output" : "kernel k" + k.id()) + " reads a " + n.type() + " no kernel wrote before it");
        return t;
    }

    /** Adds {@code op} to {@code sub} with its arguments replaced as {@code map} says; a scan gets its body rebuilt from its kernels. */
    private static void copy(Node op, Map<Node, Node> map, Graph sub, Graph from, Kernel k, Map<Node, Long> position) {
        if (map.containsKey(op)) return; // computed once in this graph (an op in two parts of a kernel)
        Node copied = switch (op) {
            case Node.Apply a -> {
                var args = a.args().stream().map(x -> arg(x, map, sub, k)).toList();
                var attrs = new HashMap<>(a.attrs());
                attrs.putIfAbsent("site", position.get(a));
                if (Scan.is(a)) attrs.put("body", body(k.body(), map, k, position));
                yield new Node.Apply(a.op(), args, attrs, a.type());
            }
            case Node.Project pr -> new Node.Project(arg(pr.tuple(), map, sub, k), pr.index(), pr.type());
            default -> throw new IllegalStateException("kernel k" + k.id() + " computes a leaf " + op.type());
        };
        map.put(op, sub.add(copied, from.loc(op)));
    }

    private static Node arg(Node x, Map<Node, Node> map, Graph sub, Kernel k) {
        if (x instanceof Node.Const c) return sub.add(c, null);
        Node m = map.get(x);
        if (m == null) throw new IllegalStateException("kernel k" + k.id() + " uses a " + x.type() + " that it neither reads nor computes before");
        return m;
    }

    /** A scan's body as a graph again: its placeholders, then every body kernel's ops in kernel order. */
    private static Graph body(FusedProgram body, Map<Node, Node> map, Kernel scan, Map<Node, Long> position) {
        var g = new Graph();
        for (Node ph : Scan.placeholders(body.graph())) map.put(ph, g.add(ph, body.graph().loc(ph)));
        for (Kernel k : body.kernels()) {
            for (Node in : k.inputs())
                if (!map.containsKey(in) && !(in instanceof Node.Const))
                    throw new IllegalStateException("body kernel k" + k.id() + " of scan kernel k" + scan.id() + " reads a " + in.type() + " no kernel wrote before it");
            for (Node op : k.ops()) copy(op, map, g, body.graph(), k, position);
        }
        for (Node o : body.graph().outputs()) g.output(arg(o, map, g, scan));
        return g;
    }
}
