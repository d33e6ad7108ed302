package dev.dlc.exec.cpu;

import dev.dlc.ir.Graph;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.ops.kernels.CounterRng;
import dev.dlc.types.Type;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scan kernel run as compiled code: its body becomes a {@link CpuProgram} of its own, whose
 * inputs are the step's slices, the state and the values the body reads from outside, and the
 * scan copies them in, runs the body's kernels once per step, and copies the stacked outputs
 * and the state out. The interpreter ran an LSTM's step op by op on boxed tensors: char_lstm's
 * training step took 6.2 s, nearly all of it in its six scans.
 *
 * <p>A random op draws what the interpreter draws: its site is kept (else its position in the
 * body becomes its site) and every step runs the body under the scope the interpreter gives
 * that step ({@link CounterRng#stepScope}). Not compiled (the interpreter's fallback runs the
 * scan): a body holding a scan; a body with a leaf other than its placeholders and constants;
 * a random body with a kernel of its own through the interpreter, which knows no scope.
 */
final class CompiledScan {
    private final CpuProgram body;
    /** The scan's own random stream, as the interpreter numbers it at the top level. */
    private final long site;
    private final int steps;
    private final boolean reverse;
    /** Per sliced argument: where it is outside, its [outer, steps, inner] split, the body's input. */
    private final Slice[] slices;
    /** Per state part: its initial value outside, the body's input, the body's output for the next state. */
    private final Storage.Loc[] init, stateIn, stateOut;
    private final int[] stateSize;
    /** Per state part: whether its next value's array and its input's trade places after a step (else the next value is copied). */
    private final boolean[] swap;
    /** Per stacked output: where it goes outside (null when nothing reads it), its split, the body's output. */
    private final Slice[] stacked;
    /** The outer values the body reads: where they are outside, the body's input, their size. */
    private final Storage.Loc[] reads, readIn;
    private final int[] readSize;
    /** The scan's final state outside, per part (null when nothing reads it). */
    private final Storage.Loc[] finalState;

    /** One sliced or stacked value: its place outside, split [outer, steps, inner] along the scan's axis, and its place in the body (an input, an output). */
    private record Slice(Storage.Loc outside, int outer, int inner, Storage.Loc body) {}

    private CompiledScan(CpuProgram body, long site, int steps, boolean reverse, Slice[] slices, Storage.Loc[] init, Storage.Loc[] stateIn,
                         Storage.Loc[] stateOut, int[] stateSize, boolean[] swap, Slice[] stacked, Storage.Loc[] reads, Storage.Loc[] readIn, int[] readSize,
                         Storage.Loc[] finalState) {
        this.body = body;
        this.site = site;
        this.steps = steps;
        this.reverse = reverse;
        this.slices = slices;
        this.init = init;
        this.stateIn = stateIn;
        this.stateOut = stateOut;
        this.stateSize = stateSize;
        this.swap = swap;
        this.stacked = stacked;
        this.reads = reads;
        this.readIn = readIn;
        this.readSize = readSize;
        this.finalState = finalState;
    }

    /** The scan of kernel {@code k} compiled against the enclosing program's storage, or null where it stays interpreted. */
    static CompiledScan of(Kernel k, Storage outside, Map<Node, Long> positions, boolean training) {
        var scanNode = k.ops().stream().filter(Scan::is).map(n -> (Node.Apply) n).findFirst().orElse(null);
        if (scanNode == null) return null;
        var s = Scan.of(scanNode);
        Graph standalone = standalone(s);
        if (standalone == null) return null;
        for (Node o : k.outputs())
            if (!(o instanceof Node.Project p && p.tuple() == scanNode)) return null;
        // what the scan copies must be stored outside: a constant sliced, a constant initial
        // state (none of the library's scans has one) or a constant read would need paths of their own
        for (Node x : s.xs()) if (outside.loc(x) == null) return null;
        for (Node x : s.init()) if (outside.loc(x) == null) return null;
        for (Node x : outerReads(s)) if (outside.loc(x) == null) return null;
        // the next state in arrays of its own, which trade places with the state's inputs after each step
        var nextState = standalone.outputs().subList(s.stacked(), standalone.outputs().size()).stream()
                .filter(n -> n instanceof Node.Apply || n instanceof Node.Project).toList();
        var program = CpuProgram.compile(standalone, training, CpuProgram.identitySet(nextState));
        if (!program.fallbacks().isEmpty() && s.body().nodes().stream().anyMatch(n -> n instanceof Node.Apply a && random(a))) return null;

        var x0 = (Type.Tensor) s.xs().getFirst().type();
        int steps = Math.toIntExact(x0.shape().dims().get(Scan.sliceAxis(s.axis(), x0.rank())).value());
        var slices = new Slice[s.sliced()];
        for (int i = 0; i < slices.length; i++) {
            Node x = s.xs().get(i);
            var type = (Type.Tensor) x.type();
            int[] split = split(type, Scan.sliceAxis(s.axis(), type.rank()));
            slices[i] = new Slice(outside.loc(x), split[0], split[1], program.inputLoc(SLICE + i));
        }
        for (int o = 0; o < program.outputs(); o++) if (program.outputLoc(o) == null) return null; // a constant output
        for (int j = 0; j < s.state().size(); j++) {
            var next = program.outputLoc(s.stacked() + j);
            for (int i = 0; i < s.state().size(); i++)
                if (i != j && next.equals(program.inputLoc(STATE + i))) return null; // states that trade places: copies in order would clobber one
        }
        var byIndex = new HashMap<Integer, Storage.Loc>();
        for (Node o : k.outputs()) byIndex.put(((Node.Project) o).index(), outside.loc(o));
        var types = ((Type.Tuple) scanNode.type()).parts();
        var stacked = new Slice[s.stacked()];
        for (int i = 0; i < stacked.length; i++) {
            var type = (Type.Tensor) types.get(i);
            int[] split = split(type, Scan.stackAxis(s.axis(), type.rank() - 1));
            stacked[i] = new Slice(byIndex.get(i), split[0], split[1], program.outputLoc(i));
        }
        int parts = s.state().size();
        var init = new Storage.Loc[parts];
        var stateIn = new Storage.Loc[parts];
        var stateOut = new Storage.Loc[parts];
        var stateSize = new int[parts];
        var finalState = new Storage.Loc[parts];
        var swap = new boolean[parts];
        for (int j = 0; j < parts; j++) {
            init[j] = outside.loc(s.init().get(j));
            stateIn[j] = program.inputLoc(STATE + j);
            stateOut[j] = program.outputLoc(s.stacked() + j);
            stateSize[j] = Storage.numel(s.init().get(j));
            finalState[j] = byIndex.get(s.stacked() + j);
        }
        for (int j = 0; j < parts; j++) swap[j] = swappable(program, j, stateIn, stateOut, stateSize[j]);
        var outer = outerReads(s);
        var reads = new Storage.Loc[outer.size()];
        var readIn = new Storage.Loc[outer.size()];
        var readSize = new int[outer.size()];
        for (int r = 0; r < reads.length; r++) {
            reads[r] = outside.loc(outer.get(r));
            readIn[r] = program.inputLoc(READ + r);
            readSize[r] = Storage.numel(outer.get(r));
        }
        long site = scanNode.site(positions.get(scanNode));
        return new CompiledScan(program, site, steps, s.reverse(), slices, init, stateIn, stateOut, stateSize, swap, stacked, reads, readIn, readSize, finalState);
    }

    /**
     * Whether state part j's next value sits in an array of its own, exactly its size, that no
     * other part or input shares: then the two arrays trade places after a step instead of one
     * being copied into the other (an LSTM's weight-gradient sums: 3 MB a step).
     */
    private static boolean swappable(CpuProgram program, int j, Storage.Loc[] stateIn, Storage.Loc[] stateOut, int size) {
        Storage.Loc out = stateOut[j], in = stateIn[j];
        if (out.offset() != 0 || in.offset() != 0 || out.table() != in.table() || out.table() == 'f' && out.slot() == 0) return false;
        if (program.arrayLength(out) != size || program.arrayLength(in) != size || program.inputLocs().contains(out)) return false;
        for (int k = 0; k < stateOut.length; k++)
            if (k != j && out.equals(stateOut[k])) return false;
        return true;
    }

    private static final String SLICE = "slice.", STATE = "state.", READ = "read.";

    /** The values of the enclosing graph the body reads, constants excluded (they are copied into the body as they are). */
    private static List<Node> outerReads(Scan s) {
        return Scan.reads(s.body()).stream().filter(n -> !(n instanceof Node.Const)).toList();
    }

    /**
     * The body as a graph of its own: placeholders become inputs named by their role, outer
     * values inputs {@code read.r}, everything else copied in order. Null where the body holds
     * what a standalone program cannot run the way the scan would.
     */
    private static Graph standalone(Scan s) {
        var g = new Graph();
        var map = new IdentityHashMap<Node, Node>();
        for (int i = 0; i < s.slices().size(); i++)
            map.put(s.slices().get(i), g.add(new Node.Input(SLICE + i, (Type.Tensor) s.slices().get(i).type()), null));
        for (int j = 0; j < s.state().size(); j++)
            map.put(s.state().get(j), g.add(new Node.Input(STATE + j, (Type.Tensor) s.state().get(j).type()), null));
        var outer = outerReads(s);
        for (int r = 0; r < outer.size(); r++) {
            if (!(outer.get(r).type() instanceof Type.Tensor t)) return null;
            map.put(outer.get(r), g.add(new Node.Input(READ + r, t), null));
        }
        var nodes = s.body().nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (map.containsKey(n)) continue;
            Node copied = switch (n) {
                case Node.Const c -> c;
                case Node.Apply a when Scan.is(a) -> null;
                case Node.Apply a -> sited((Node.Apply) Node.remapped(a, map), i);
                case Node.Project p -> Node.remapped(p, map);
                default -> null;
            };
            if (copied == null) return null;
            map.put(n, g.add(copied, s.body().loc(n)));
        }
        for (Node o : s.body().outputs()) g.output(map.getOrDefault(o, o)); // else a constant of the enclosing graph
        return g;
    }

    /** A random op with its site: its own, else its position in the body, which names its stream in the interpreter. */
    private static Node.Apply sited(Node.Apply a, int position) {
        if (!random(a) || a.attrs().containsKey("site")) return a;
        var attrs = new HashMap<>(a.attrs());
        attrs.put("site", (long) position);
        return new Node.Apply(a.op(), a.args(), attrs, a.type());
    }

    private static boolean random(Node.Apply a) {
        return OpTable.forNode(a.op(), a.args().size()).map(d -> d.prim() == Prim.DROPOUT).orElse(false);
    }

    /** [elements before the axis, elements after it] of a value of this type. */
    private static int[] split(Type.Tensor type, int axis) {
        int[] shape = Tensor.shapeOf(type);
        int outer = 1, inner = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < axis) outer *= shape[d];
            if (d > axis) inner *= shape[d];
        }
        return new int[] {outer, inner};
    }

    /** Runs the scan: the outer values in once, then every step, then the final state out. */
    void run(Frame outside) {
        Frame in = body.frame();
        long stream = CounterRng.stream(outside.scope, site);
        for (int r = 0; r < reads.length; r++) Storage.copy(outside, reads[r], in, readIn[r], readSize[r]);
        for (int j = 0; j < init.length; j++) Storage.copy(outside, init[j], in, stateIn[j], stateSize[j]);
        for (int k = 0; k < steps; k++) {
            int t = reverse ? steps - 1 - k : k;
            for (Slice x : slices) {
                for (int o = 0; o < x.outer(); o++)
                    Storage.copy(outside, x.outside().plus((o * steps + t) * x.inner()), in, x.body().plus(o * x.inner()), x.inner());
            }
            in.scope = CounterRng.stepScope(stream, t);
            body.run(outside.seed);
            for (Slice y : stacked) {
                if (y.outside() == null) continue;
                for (int o = 0; o < y.outer(); o++)
                    Storage.copy(in, y.body().plus(o * y.inner()), outside, y.outside().plus((o * steps + t) * y.inner()), y.inner());
            }
            for (int j = 0; j < stateIn.length; j++) {
                if (swap[j]) in.trade(stateOut[j], stateIn[j]);
                else Storage.copy(in, stateOut[j], in, stateIn[j], stateSize[j]);
            }
        }
        for (int j = 0; j < finalState.length; j++)
            if (finalState[j] != null) Storage.copy(in, stateIn[j], outside, finalState[j], stateSize[j]);
    }
}
