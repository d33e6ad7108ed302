package dev.dlc.exec.cpu;

import dev.dlc.ir.FusedProgram;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.KernelInterpreter;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.FusionPass;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One graph compiled for the CPU: fused into kernels ({@link FusionPass}), its values placed
 * ({@link Storage}, the memory plan's arena for f32), and one generated Java class holding a
 * method per kernel ({@link ProgramSource}). Running it runs the kernels in order: generated
 * methods, views (nothing to do), transposes read in place by a matmul (skipped), and the
 * kernels the generator does not cover through the interpreter ({@link KernelInterpreter#runKernel}).
 *
 * <p>A program owns one {@link Frame}: it is not safe for two threads at once.
 */
public final class CpuProgram {
    private final Graph graph;
    private final FusedProgram fused;
    private final Storage storage;
    private final Frame frame;
    private final boolean training;
    private final Runnable[] steps;
    private final Kernel[] stepKernels;
    /** Nanoseconds per step over the runs since {@link #profile} turned timing on; null when off. */
    private long[] nanos;
    private final List<String> fallbacks;
    private final Map<Node, Long> positions;
    private final Map<String, Storage.Loc> inputs = new LinkedHashMap<>(), params = new LinkedHashMap<>();
    private final int generated;
    /** Values stored with their first two axes swapped. */
    private final Set<Node> swapped;
    /** Places where two or more outputs lie: no output there trades its array away ({@link #tradesPlaces}). */
    private final Set<Storage.Loc> sharedOutputs = new java.util.HashSet<>();

    private CpuProgram(Graph graph, boolean training, Set<Node> own) {
        this.graph = graph;
        this.training = training;
        this.fused = ProgramSource.keepTransposeSources(FusionPass.run(graph));
        this.storage = new Storage(fused, own);
        this.positions = KernelInterpreter.positions(fused);
        var source = ProgramSource.of(new JavaVectorDialect(), fused, storage, positions, training);
        GeneratedKernels gen = source.kernels().isEmpty() ? null : KernelCompiler.load(source.text());
        this.frame = storage.frame();
        this.generated = source.kernels().size();
        this.swapped = source.swapped();
        var list = new ArrayList<Runnable>();
        var ks = new ArrayList<Kernel>();
        var interpreted = new ArrayList<String>();
        for (Kernel k : fused.kernels()) {
            if (k.kind() == Kernel.Kind.VIEW || source.skipped().contains(k.id())) continue;
            int id = k.id();
            // a scan is never generated in the class: its body may run as a program of its own
            CompiledScan scan = k.kind() == Kernel.Kind.SCAN ? CompiledScan.of(k, storage, positions, training) : null;
            if (scan != null) list.add(() -> scan.run(frame));
            else if (source.kernels().contains(id)) list.add(() -> gen.run(id, frame));
            else {
                list.add(() -> fallback(k));
                interpreted.add(source.fallback(id));
            }
            ks.add(k);
        }
        this.fallbacks = List.copyOf(interpreted);
        this.steps = list.toArray(Runnable[]::new);
        this.stepKernels = ks.toArray(Kernel[]::new);
        var seen = new java.util.HashSet<Storage.Loc>();
        for (Node o : graph.outputs())
            if (!(o instanceof Node.Const) && !seen.add(storage.loc(o))) sharedOutputs.add(storage.loc(o));
        for (Node n : graph.nodes()) {
            if (n instanceof Node.Input in && storage.has(in)) inputs.put(in.name(), storage.loc(in));
            if (n instanceof Node.Param p && storage.has(p)) params.put(p.path(), storage.loc(p));
        }
    }

    /** Compiles {@code graph} (already optimized): {@code training} says whether its dropouts drop. */
    public static CpuProgram compile(Graph graph, boolean training) { return new CpuProgram(graph, training, Set.of()); }

    /** {@link #compile}, with the values in {@code own} stored in arrays of their own, outside the arena (a scan's next state: see {@link CompiledScan}). */
    static CpuProgram compile(Graph graph, boolean training, Set<Node> own) { return new CpuProgram(graph, training, own); }

    public Graph graph() { return graph; }

    public FusedProgram fused() { return fused; }

    /** The arena's peak bytes (the memory plan's), and all the bytes the frame holds. */
    public long arenaBytes() { return storage.plan.peak(); }

    public long frameBytes() { return storage.bytes(); }

    /** The kernels that run through the interpreter, each with its ops (empty when all are generated). */
    public List<String> fallbacks() { return fallbacks; }

    /** How many kernels are generated code. */
    public int generatedKernels() { return generated; }

    // ------------------------------------------------------------------ values in and out

    public void input(String name, Tensor t) {
        var at = inputs.get(name);
        if (at != null) Storage.write(frame, at, t);
    }

    /**
     * The array an input lives in, for a data set to fill in place ({@code DataSet.batchInto}):
     * a {@code float[]} or {@code int[]} of exactly the input's size; null for f64/i64 inputs.
     */
    public Object inputArray(String name) {
        var at = inputs.get(name);
        if (at == null) return null;
        return switch (at.table()) {
            case 'f' -> frame.f[at.slot()];
            case 'i' -> frame.i[at.slot()];
            default -> null;
        };
    }

    /**
     * Makes {@code array} (the same type and size as {@link #inputArray}) the input's storage and
     * returns the one it replaces: a batch gathered elsewhere goes in without a copy.
     */
    public Object swapInput(String name, Object array) {
        Object old = inputArray(name);
        var at = inputs.get(name);
        switch (array) {
            case float[] f when old instanceof float[] o && o.length == f.length -> frame.f[at.slot()] = f;
            case int[] ints when old instanceof int[] o && o.length == ints.length -> frame.i[at.slot()] = ints;
            default -> throw new IllegalArgumentException("input " + name + " is not stored as " + array.getClass().getSimpleName() + " of that size");
        }
        return old;
    }

    /** Where input {@code name} is stored (null when the program does not read it). */
    Storage.Loc inputLoc(String name) { return inputs.get(name); }

    /** Where output {@code i} is stored after a run (null for a constant). */
    Storage.Loc outputLoc(int i) {
        Node o = graph.outputs().get(i);
        return o instanceof Node.Const ? null : storage.loc(o);
    }

    Frame frame() { return frame; }

    /** Where every input is stored. */
    java.util.Collection<Storage.Loc> inputLocs() { return inputs.values(); }

    /** The length of the array a place lies in, not counting {@link Storage#SLACK}. */
    int arrayLength(Storage.Loc at) {
        return switch (at.table()) {
            case 'f' -> frame.f[at.slot()].length - Storage.SLACK;
            case 'i' -> frame.i[at.slot()].length - Storage.SLACK;
            default -> frame.d[at.slot()].length;
        };
    }

    /** An input's value as stored (after a step: the batch it ran on). */
    public Tensor input(String name, Type.Tensor type) { return Storage.read(frame, inputs.get(name), type); }

    public void param(String path, Tensor t) {
        var at = params.get(path);
        if (at != null) Storage.write(frame, at, t);
    }

    /** The paths of the parameters this program reads. */
    public Set<String> params() { return Collections.unmodifiableSet(params.keySet()); }

    /** A parameter's value as stored. */
    public Tensor param(String path, Type.Tensor type) { return Storage.read(frame, params.get(path), type); }

    /** Copies output {@code i} into parameter {@code path}'s storage (a slot's next value becomes its value). */
    public void outputToParam(int i, String path) {
        Node o = graph.outputs().get(i);
        var to = params.get(path);
        if (to == null) return;
        if (o instanceof Node.Const c) {
            Storage.write(frame, to, Tensor.filled(c.type().dtype(), Tensor.shapeOf(c.type()), c.value()));
            return;
        }
        var from = storage.loc(o);
        if (from.equals(to)) return;
        if (tradesPlaces(o, from, to)) {
            frame.trade(from, to);
            return;
        }
        if (from.table() == to.table()) Storage.copy(frame, from, to, Storage.numel(o));
        else Storage.write(frame, to, Storage.read(frame, from, (Type.Tensor) o.type()));
    }

    /**
     * Whether output o, at {@code from}, and the parameter at {@code to} may trade arrays instead
     * of o being copied: both whole arrays of o's size, o's given to it alone ({@link
     * Storage#ownsArray}: not a view of another value) and no other output's. The step writes
     * all of o again, so the parameter's old array is as good as a fresh one. (ResNet-18's 11.2
     * million weights were copied back after every step: 89 MB of memory traffic.)
     */
    private boolean tradesPlaces(Node o, Storage.Loc from, Storage.Loc to) {
        if (from.offset() != 0 || to.offset() != 0 || from.table() != to.table() || !storage.ownsArray(o)) return false;
        int n = Storage.numel(o);
        return arrayLength(from) == n && arrayLength(to) == n && !sharedOutputs.contains(from);
    }

    /** Output {@code i} after a run. */
    public Tensor output(int i) {
        Node o = graph.outputs().get(i);
        if (o instanceof Node.Const c) return Tensor.filled(c.type().dtype(), Tensor.shapeOf(c.type()), Tensor.fit(c.type().dtype(), c.value()));
        return Storage.read(frame, storage.loc(o), (Type.Tensor) o.type());
    }

    /** The first element of output {@code i} (a loss, a metric) without building a tensor. */
    public double scalar(int i) {
        Node o = graph.outputs().get(i);
        if (o instanceof Node.Const c) return c.value();
        var at = storage.loc(o);
        return switch (at.table()) {
            case 'f' -> frame.f[at.slot()][at.offset()];
            case 'i' -> frame.i[at.slot()][at.offset()];
            default -> frame.d[at.slot()][at.offset()];
        };
    }

    public int outputs() { return graph.outputs().size(); }

    // ------------------------------------------------------------------ running

    /** Runs every kernel once; {@code seed} is the step's random seed (dropout). */
    public void run(long seed) {
        frame.seed = seed;
        if (nanos == null) {
            for (Runnable s : steps) s.run();
            return;
        }
        for (int i = 0; i < steps.length; i++) {
            long t0 = System.nanoTime();
            steps[i].run();
            nanos[i] += System.nanoTime() - t0;
        }
    }

    /**
     * Runs every kernel once, calling {@code before} and {@code after} around each (for a test:
     * set a kernel's inputs with {@link #set}, read its outputs with {@link #value} while they
     * are still in the frame).
     */
    public void run(long seed, java.util.function.Consumer<Kernel> before, java.util.function.Consumer<Kernel> after) {
        frame.seed = seed;
        for (int i = 0; i < steps.length; i++) {
            before.accept(stepKernels[i]);
            steps[i].run();
            after.accept(stepKernels[i]);
        }
    }

    /** Overwrites a stored value (an input, a parameter, a kernel's output). */
    public void set(Node n, Tensor t) {
        Storage.write(frame, storage.loc(n), swapped.contains(n) ? swapFirstTwo(t).reshape(t.shape()) : t);
    }

    /** Starts timing each kernel (from zero), or stops. */
    public void profile(boolean on) { nanos = on ? new long[steps.length] : null; }

    /** The kernels by time spent since {@link #profile}, slowest first: "k3 opaque [matmul, add]: 1.234 ms". */
    public List<String> profileReport(int runs) {
        var order = new ArrayList<Integer>();
        for (int i = 0; i < steps.length; i++) order.add(i);
        order.sort((a, b) -> Long.compare(nanos[b], nanos[a]));
        var out = new ArrayList<String>();
        for (int i : order) out.add(String.format("%8.3f ms  %s", nanos[i] / 1e6 / runs, describe(stepKernels[i])));
        return out;
    }

    /** Inputs by name and parameters by path in, every output out: a whole run from tensors. */
    public List<Tensor> run(Map<String, Tensor> in, Map<String, Tensor> ps, long seed) {
        in.forEach(this::input);
        ps.forEach(this::param);
        run(seed);
        var out = new ArrayList<Tensor>();
        for (int i = 0; i < outputs(); i++) out.add(output(i));
        return out;
    }

    /** A kernel the generator does not cover: its ops on the interpreter, on values read from storage. */
    private void fallback(Kernel k) {
        var in = new ArrayList<Tensor>();
        for (Node n : k.inputs()) in.add(value(n));
        var options = new Interpreter.Options(Interpreter.Precision.F32, training, frame.seed);
        var out = KernelInterpreter.runKernel(fused, k, in, options, positions);
        for (int i = 0; i < out.size(); i++) Storage.write(frame, storage.loc(k.outputs().get(i)), out.get(i));
    }

    /** The value of a node as stored now (an input, a parameter, a kernel's output). */
    public Tensor value(Node n) {
        if (n instanceof Node.Const c) return Tensor.scalar(c.type().dtype(), c.value());
        Tensor stored = Storage.read(frame, storage.loc(n), (Type.Tensor) n.type());
        return swapped.contains(n) ? swapFirstTwo(stored.reshape(swapFirstTwo(stored.shape()))) : stored;
    }

    private static int[] swapFirstTwo(int[] shape) {
        int[] to = shape.clone();
        to[0] = shape[1];
        to[1] = shape[0];
        return to;
    }

    /** t with its first two axes swapped: a value stored so (see {@link Conv2d#forwardSwapped}) to or from its layout. */
    private static Tensor swapFirstTwo(Tensor t) {
        int[] s = t.shape(), to = swapFirstTwo(s);
        int inner = t.numel() / (s[0] * s[1]);
        return Tensor.build(t.dtype(), to, i -> {
            int rest = i % inner, ab = i / inner, b = ab / s[0], a = ab % s[0];
            return t.at((a * s[1] + b) * inner + rest);
        });
    }

    /** A one-line description of a kernel's ops, for the list of fallbacks. */
    static String describe(Kernel k) {
        var ops = new LinkedHashSet<String>();
        for (Node n : k.ops()) ops.add(n instanceof Node.Apply a ? (Scan.is(a) ? "scan" : a.op()) : "part");
        return "k" + k.id() + " " + k.kind().name().toLowerCase() + " " + ops;
    }

    static Set<Node> identitySet(List<Node> nodes) {
        var s = Collections.<Node>newSetFromMap(new IdentityHashMap<>());
        s.addAll(nodes);
        return s;
    }
}
