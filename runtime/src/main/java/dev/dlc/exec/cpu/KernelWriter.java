package dev.dlc.exec.cpu;

import dev.dlc.ir.Node;
import dev.dlc.ops.Bound;
import dev.dlc.ops.Fusion;
import dev.dlc.ops.OpTable;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes the loop nests of one kernel. A nest loops over an output's shape (axes of size 1 are
 * not looped) and evaluates each output at every point; every op is evaluated at an index of
 * its own shape, derived from the point through its consumer's index (broadcasting drops or
 * zeroes axes, movement permutes or slices them, a reduction loops over what it reduces).
 *
 * <p>Each value is computed once per distinct index, in the outermost loop whose variables its
 * index uses: the max of a softmax line sits outside the loop over the line, a bias outside
 * the loop over rows. Scalars are doubles rounded to their dtype after every op, and reductions
 * accumulate in double in a fixed order (a sum in interleaved partial sums, see {@link #sumOver}
 * and {@link #vectorSumOver}), so scalar code agrees with the interpreter to an ulp of a double
 * and never depends on the thread count. The innermost loop
 * also gets a vector body when every op there is exact in f32 lanes (add, mul, max, where, ...)
 * and every load there is contiguous; otherwise the nest is scalar.
 */
final class KernelWriter {

    /** The innermost loop cannot be vectorized; the nest is written again in scalars. */
    static final class NotVectorizable extends RuntimeException {
        NotVectorizable() { super(null, null, false, false); }
    }

    /** An op this writer does not generate: the kernel runs through the fallback. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String message) { super(message); }
    }

    /** {@code floor(num / k)} of an affine {@code num}. */
    private record Quotient(Ix num, long k) {}

    /** A value in generated code: a double ('s'), a FloatVector ('v') or a mask ('m'). */
    private record V(String code, char kind) {}

    /**
     * The statements of one loop level, and the values computed there by op and index. A vector
     * block with a {@code mask} is the innermost loop's tail: one vector whose lanes past the
     * loop's end ({@code count} lanes are in it) are neither read nor written.
     */
    private static final class Block {
        final StringBuilder code = new StringBuilder();
        final Map<String, V> memo = new HashMap<>();
        final boolean vector;
        final String mask, count;

        Block(boolean vector) { this(vector, null, null); }

        Block(boolean vector, String mask, String count) {
            this.vector = vector;
            this.mask = mask;
            this.count = count;
        }
    }

    private final Dialect dl;
    private final Storage storage;
    private final Map<Node, Storage.Loc> memory;
    private final Set<Node> computed;
    private final Map<Node, Long> position;
    private final boolean training;
    private final Set<Storage.Loc> arrays;
    /** Values stored with their first two axes swapped (weight gradients, see {@link Conv2d#forwardSwapped}). */
    private final Set<Node> swapped;
    private final Map<Node, Integer> ids = new IdentityHashMap<>();
    private final Map<String, Integer> depthOf = new HashMap<>();
    /** Bound index variables that are a quotient {@code floor(num / k)}: a reshape's leading axis. */
    private final Map<String, Quotient> quotients = new HashMap<>();
    private int fresh;

    private List<Block> stack;
    private int innerDepth = -1;
    /** Whether the nest being written calls a VectorMath function (exp, sigmoid, tanh) per vector. */
    private boolean vectorMath;
    /** Declarations at the start of the parallel loop's task, before its loops ({@link Dialect#lineScratch}). */
    private StringBuilder taskPrologue = new StringBuilder();
    /** The most elements one point of the current nest reduces over (1 without reductions). */
    private long pointWork;
    private String innerVar;
    /**
     * The nest's two outermost loop variables (null with fewer loops), and whether a scalar load
     * steps further along the second than the first (then the second runs in tiles, {@link #TILE_STRIDE}).
     */
    private String firstVar, secondVar;
    private boolean transposedRead;

    /**
     * @param computed the ops this kernel computes (everything else is read from memory)
     * @param memory   values read from a place other than their storage (an opaque op's result in scratch)
     * @param arrays   collects the arrays the kernel's code uses
     * @param swapped  values whose storage has their first two axes swapped
     */
    KernelWriter(Dialect dl, Storage storage, Set<Node> computed, Map<Node, Storage.Loc> memory, Map<Node, Long> position,
                 boolean training, Set<Storage.Loc> arrays, Set<Node> swapped) {
        this.dl = dl;
        this.storage = storage;
        this.computed = computed;
        this.memory = memory;
        this.position = position;
        this.training = training;
        this.arrays = arrays;
        this.swapped = swapped;
    }

    // ------------------------------------------------------------------ nests

    /**
     * Nests of fewer elements stay scalar. A small nest (a bias's or a batch norm's update) runs
     * once per step, so the JIT takes thousands of steps to compile it, and until then Vector API
     * code runs boxed, tens of times slower than scalar code (softmax regression's first epoch:
     * 0.65-0.74 s instead of 0.78-0.95 s); compiled, the scalar loop costs a microsecond or two
     * more. The system property {@code dlc.cpu.vectorMin} changes it (the tests' small steps set 1).
     */
    static final int VECTOR_MIN = Integer.getInteger("dlc.cpu.vectorMin", 2048);

    /**
     * The code of one nest writing {@code outputs}, all of shape {@code shape}. An innermost axis
     * under half a vector stays scalar too: its every row would be one mostly empty masked
     * vector, which costs more than the scalars (ResNet-18's update of [O, C, 3, 3] weights from
     * a gradient laid out [C, O, 3, 3], rows of 3 in 16 lanes: 31 ms a step).
     */
    String nest(List<Node> outputs, int[] shape) {
        shape = merged(outputs, shape);
        int lanes = dl.lanes(), inner = shape.length - 1;
        while (inner > 0 && shape[inner] == 1) inner--;
        if (lanes > 0 && inner >= 0 && shape[inner] > 1 && 2 * shape[inner] >= lanes && Tensor.numel(shape) >= VECTOR_MIN) {
            try {
                return write(outputs, shape, true);
            } catch (NotVectorizable e) {
                // some op or load of the innermost loop has no exact vector form
            }
        }
        return write(outputs, shape, false);
    }

    /**
     * The nest's shape with its trailing axes run as one where that reads and writes the same
     * elements: from the first axis j at which every value of the nest is elementwise (or a
     * permute of axes before j), and either spans the nest's axes j.. or is broadcast along all
     * of them. The merged run stands on the last axis of j.. longer than 1, the others of j..
     * become 1: index i there is element i of every such run, and 0 of a broadcast one. A batch norm's [N, C, 3, 3] planes then run as rows of 9 rather than 3,
     * an update of [O, C, 3, 3] weights as one row.
     */
    private int[] merged(List<Node> outputs, int[] shape) { return mergedFrom(outputs, shape, 0); }

    /** {@link #merged} for {@code values} of shape {@code shape}, the run starting at axis {@code start} or later. */
    private int[] mergedFrom(List<Node> values, int[] shape, int start) {
        int r = shape.length;
        var memo = new IdentityHashMap<Node, Boolean>();
        for (int j = start; j < r - 1; j++) {
            int looped = 0, last = -1;
            for (int k = j; k < r; k++) if (shape[k] > 1) { looped++; last = k; }
            if (looped < 2) break;
            int from = j;
            memo.clear();
            if (values.stream().allMatch(o -> elementwiseFrom(o, shape, from, memo))) {
                // the run stands on the last looped axis: the axes after it are 1, so its stride
                // is 1, and no value spanning the run has 1 there (broadcasting would zero it)
                int[] m = shape.clone();
                long run = 1;
                for (int k = j; k < r; k++) { run *= shape[k]; m[k] = 1; }
                m[last] = Math.toIntExact(run);
                return m;
            }
        }
        return shape;
    }

    /** Whether n and what it reads are elementwise in the nest's axes j.. (see {@link #merged}). */
    private boolean elementwiseFrom(Node n, int[] shape, int j, Map<Node, Boolean> memo) {
        if (n instanceof Node.Const) return true;
        Boolean known = memo.get(n);
        if (known != null) return known;
        boolean ok = spansOrBroadcast(shape(n), shape, j);
        boolean inKernel = computed.contains(n) && !memory.containsKey(n);
        if (ok && inKernel && n instanceof Node.Project) ok = false; // a part of a split computed here: a slice, which moves its axis
        else if (ok && inKernel && prim((Node.Apply) n) == Prim.RESHAPE && onesFrom(shape(n), shape, j)) {
            // a per-channel vector reshaped to [1, C, 1, 1]: one value along the whole run, read
            // through its own flat index whatever the nest's shape (a batch norm's scale and shift)
            ok = true;
        } else if (ok && inKernel) {
            var a = (Node.Apply) n;
            Prim p = prim(a);
            var fusion = OpTable.def(p).fusion();
            // a concat along an axis before the run: each part spans the run as the concat does
            boolean before = p == Prim.CONCAT && axis(new Bound(a.op(), a.attrs()).integer("axis"), shape(a).length) + shape.length - shape(a).length < j;
            // a permute swapping back the first two axes of a value stored swapped reads its storage in order
            boolean inOrder = (p == Prim.PERMUTE || p == Prim.TRANSPOSE) && swapped.contains(arg(a, 0)) && !computed.contains(arg(a, 0));
            if (inOrder) ok = true;
            else if (p == Prim.PERMUTE || p == Prim.TRANSPOSE) ok = fixes(perm(a, p, new Bound(a.op(), a.attrs())), j) && elementwiseFrom(arg(a, 0), shape, j, memo);
            else if (p == Prim.DROPOUT || fusion != Fusion.ELEMWISE && fusion != Fusion.BROADCAST && !before) ok = false;
            else for (Node x : a.args()) ok &= elementwiseFrom(x, shape, j, memo);
        } else if (ok) ok = !swapped.contains(n);
        memo.put(n, ok);
        return ok;
    }

    /** flip's index: n - 1 - i along its axes (affine, so a flipped read is still a plain load). */
    private static List<Ix> flipped(List<Ix> idx, int[] shape, Bound bound) {
        var at = new ArrayList<>(idx);
        for (long a : bound.ints("axes")) {
            int k = axis(a, shape.length);
            at.set(k, Ix.of(shape[k] - 1).plus(idx.get(k).times(-1)));
        }
        return at;
    }

    /** Whether {@code s}, aligned right against {@code shape}, is 1 along axes j.. . */
    private static boolean onesFrom(int[] s, int[] shape, int j) {
        int off = shape.length - s.length;
        for (int k = Math.max(j, off); k < shape.length; k++) if (s[k - off] != 1) return false;
        return true;
    }

    /** Whether a permutation leaves axes j.. where they are. */
    private static boolean fixes(int[] perm, int j) {
        for (int k = j; k < perm.length; k++) if (perm[k] != k) return false;
        return true;
    }

    /** Whether {@code s}, aligned right against {@code shape}, equals it along axes j.. or is 1 along all of them. */
    private static boolean spansOrBroadcast(int[] s, int[] shape, int j) {
        int off = shape.length - s.length;
        if (off < 0) return false;
        boolean spans = true, ones = true;
        for (int k = j; k < shape.length; k++) {
            int sk = k - off >= 0 ? s[k - off] : 1;
            spans &= sk == shape[k];
            ones &= sk == 1;
        }
        return spans || ones;
    }

    private String write(List<Node> outputs, int[] shape, boolean vector) {
        var loopAxes = new ArrayList<Integer>();
        for (int k = 0; k < shape.length; k++) if (shape[k] > 1) loopAxes.add(k);
        int n = loopAxes.size();
        String prefix = "n" + (fresh++) + "_";
        var vars = new String[shape.length];
        var idx = new ArrayList<Ix>();
        for (int k = 0; k < shape.length; k++) {
            if (shape[k] > 1) {
                vars[k] = prefix + "i" + k;
                depthOf.put(vars[k], loopAxes.indexOf(k) + 1);
                idx.add(Ix.var(vars[k]));
            } else idx.add(Ix.of(0));
        }
        var blocks = new ArrayList<Block>();
        for (int d = 0; d < n; d++) blocks.add(new Block(false));
        String iv = n > 0 ? vars[loopAxes.getLast()] : null;
        Block inner = new Block(vector), tail = vector ? new Block(true, iv + "m", iv + "r") : null;
        innerDepth = vector ? n : -1;
        vectorMath = false;
        taskPrologue = new StringBuilder();
        innerVar = n > 0 ? vars[loopAxes.getLast()] : null;
        firstVar = n > 1 ? vars[loopAxes.get(0)] : null;
        secondVar = n > 1 ? vars[loopAxes.get(1)] : null;
        transposedRead = false;
        stack = new ArrayList<>(blocks);
        stack.add(inner);
        pointWork = 1;
        for (Node o : outputs) store(o, eval(o, idx), idx);
        if (vector) {
            // The same ops again for the tail, as one masked vector: the same lanes' arithmetic,
            // so the tail rounds exactly as the body does.
            stack.set(n, tail);
            for (Node o : outputs) store(o, eval(o, idx), idx);
        }
        long work = Tensor.numel(shape) * pointWork;
        if (n == 0) return "{\n" + inner.code + "}\n";
        return assemble(blocks, inner, tail, loopAxes, vars, shape, work);
    }

    /**
     * A scalar nest with a load that steps at least this many elements along the second loop and
     * fewer along the first (a gradient read through a transpose) runs its second loop in tiles
     * of {@link #TILE} inside the first: each tile reads TILE runs along the first axis, not a
     * line or page per element. ResNet-18's update of a stride-2 layer's [512, 256, 3, 3]
     * weights from a gradient laid out [256, 512, 4, 4] read it 32 KB apart at every element:
     * with the other stride-2 layers, a third of the update's 18-22 ms (now 13-14).
     */
    private static final int TILE_STRIDE = 64, TILE = 16;

    /** Nests the blocks: block d inside the loop of loop axis d-1; the outermost loop runs in parallel. */
    private String assemble(List<Block> blocks, Block inner, Block tail, List<Integer> loopAxes, String[] vars, int[] shape, long work) {
        int n = loopAxes.size();
        String iv = vars[loopAxes.getLast()];
        int innerSize = shape[loopAxes.getLast()];
        String body;
        // The innermost loop; with one loop axis it runs over a chunk [from, to) of that axis.
        String from = n == 1 ? "from" : "0", to = n == 1 ? "to" : String.valueOf(innerSize);
        boolean tiled = tail == null && n >= 2 && transposedRead && pointWork == 1;
        String tile = tiled ? vars[loopAxes.get(1)] + "t" : null, tileEnd = tiled ? "Math.min(" + tile + " + " + TILE + ", " + shape[loopAxes.get(1)] + ")" : null;
        if (tiled && n == 2) {
            from = tile;
            to = tileEnd;
        }
        if (tail != null && vectorMath)
            // Only the masked copy: C2 inlines a VectorMath function once per loop at most (its
            // node budget), and a copy left as a call boxes its vectors. LeNet's conv1 rows are
            // 16 + 12 lanes: the tail's sigmoid, not inlined, made conv + bias + sigmoid 1.2 ms
            // instead of 0.4. A mask over whole vectors costs a compare per vector.
            body = "for (int " + iv + " = " + from + "; " + iv + " < " + to + "; " + iv + " += " + dl.vectorStep() + ") {\n"
                    + "final " + dl.maskType() + " " + tail.mask + " = " + dl.vtailMask(iv, to) + ";\n"
                    + "final int " + tail.count + " = " + to + " - " + iv + ";\n" + tail.code + "}\n";
        else if (tail != null)
            body = "int " + iv + " = " + from + ";\n"
                    + "for (; " + iv + " < " + dl.vectorBound(from, to) + "; " + iv + " += " + dl.vectorStep() + ") {\n" + inner.code + "}\n"
                    + "if (" + iv + " < " + to + ") {\n"
                    + "final " + dl.maskType() + " " + tail.mask + " = " + dl.vtailMask(iv, to) + ";\n"
                    + "final int " + tail.count + " = " + to + " - " + iv + ";\n" + tail.code + "}\n";
        else body = "for (int " + iv + " = " + from + "; " + iv + " < " + to + "; " + iv + "++) {\n" + inner.code + "}\n";
        for (int d = n - 1; d >= 1; d--) {
            String v = vars[loopAxes.get(d - 1)];
            String lo = d == 1 ? "lo" : "0", hi = d == 1 ? "hi" : String.valueOf(shape[loopAxes.get(d - 1)]);
            if (tiled && d == 2) {
                lo = tile;
                hi = tileEnd;
            }
            body = "for (int " + v + " = " + lo + "; " + v + " < " + hi + "; " + v + "++) {\n" + blocks.get(d).code + body + "}\n";
            if (tiled && d == 1) body = "for (int " + tile + " = 0; " + tile + " < " + shape[loopAxes.get(1)] + "; " + tile + " += " + TILE + ") {\n" + body + "}\n";
        }
        body = taskPrologue + body;
        String parallel;
        if (n == 1) {
            // One axis: parallel over chunks of it, each chunk vectorized; a point per chunk when
            // each point is a long reduction (a conv layer's bias gradient: 6 sums of 100k).
            int chunk = pointWork >= 1024 ? 1 : 4096, chunks = (innerSize + chunk - 1) / chunk;
            parallel = dl.parallel(String.valueOf(chunks), work,
                    "final int from = lo * " + chunk + ", to = Math.min(" + innerSize + ", hi * " + chunk + ");\n" + body);
        } else parallel = dl.parallel(String.valueOf(shape[loopAxes.getFirst()]), work, body);
        return "{\n" + blocks.getFirst().code + parallel + "}\n";
    }

    // ------------------------------------------------------------------ values

    private V eval(Node n, List<Ix> idx) {
        if (n instanceof Node.Const c) return new V(literal(fit(dtype(c), c.value(), c)), 's');
        int d = depth(idx);
        Block b = stack.get(d);
        String key = id(n) + "@" + codes(idx);
        V hit = b.memo.get(key);
        if (hit != null) return hit;
        V v = !computed.contains(n) || memory.containsKey(n) ? load(n, idx, d)
                : n instanceof Node.Project part ? eval(arg((Node.Apply) part.tuple(), 0), splitPart(idx, part))
                : compute((Node.Apply) n, idx, d);
        b.memo.put(key, v);
        return v;
    }

    private boolean vectorAt(int d) { return d == innerDepth && stack.get(d).vector; }

    private V load(Node n, List<Ix> idx, int d) {
        Storage.Loc at = place(n);
        if (at == null) throw new Unsupported("no storage for a " + n.type());
        arrays.add(at);
        Ix flat = bind(stored(n, idx).plus(Ix.of(at.offset())));
        if (vectorAt(d)) {
            if (at.table() != 'f') throw new NotVectorizable();
            String mask = stack.get(d).mask;
            if (contiguous(flat)) return declare(d, dl.vectorType(), dl.vload(at.array(), flat.code(), mask), 'v');
            long k = repeats(flat);
            if (k > 1) return declare(d, dl.vectorType(), dl.vloadRepeat(at.array(), flat.code(), (int) k, stack.get(d).count), 'v');
            throw new NotVectorizable();
        }
        if (firstVar != null && flat.affine() && Math.abs(flat.coef(secondVar)) >= TILE_STRIDE
                && flat.coef(firstVar) != 0 && Math.abs(flat.coef(firstVar)) < Math.abs(flat.coef(secondVar)))
            transposedRead = true;
        String read = switch (at.table()) {
            case 'f', 'i' -> "(double) " + at.array() + "[" + flat.code() + "]";
            default -> at.array() + "[" + flat.code() + "]";
        };
        return declare(d, "double", read, 's');
    }

    /** Where n's element idx lies in its storage: row-major, with the first two axes swapped for a swapped value. */
    private Ix stored(Node n, List<Ix> idx) {
        if (!swapped.contains(n)) return flat(idx, shape(n));
        int[] shape = shape(n).clone();
        var at = new ArrayList<>(idx);
        Collections.swap(at, 0, 1);
        shape[0] = shape(n)[1];
        shape[1] = shape(n)[0];
        return flat(at, shape);
    }

    private void store(Node o, V v, List<Ix> idx) {
        if (swapped.contains(o)) throw new IllegalStateException("a swapped value is written by its convolution only");
        Storage.Loc at = storage.loc(o);
        arrays.add(at);
        Ix flat = flat(idx, shape(o)).plus(Ix.of(at.offset()));
        Block b = stack.getLast();
        if (b.vector) {
            if (at.table() != 'f' || v.kind() == 'm') throw new NotVectorizable();
            b.code.append(dl.vstore(vec(v), at.array(), flat.code(), b.mask)).append('\n');
            return;
        }
        String value = switch (at.table()) {
            case 'f' -> "(float) " + v.code();
            case 'i' -> "(int) " + v.code();
            default -> v.code();
        };
        b.code.append(at.array()).append('[').append(flat.code()).append("] = ").append(value).append(";\n");
    }

    private V declare(int d, String type, String expr, char kind) {
        String name = "v" + (fresh++);
        stack.get(d).code.append("final ").append(type).append(' ').append(name).append(" = ").append(expr).append(";\n");
        return new V(name, kind);
    }

    // ------------------------------------------------------------------ ops

    private V compute(Node.Apply a, List<Ix> idx, int d) {
        Prim p = prim(a);
        var bound = new Bound(a.op(), a.attrs());
        return switch (p) {
            case STOP_GRADIENT -> eval(arg(a, 0), broadcast(idx, a, arg(a, 0)));
            case BROADCAST -> eval(arg(a, 0), broadcast(idx, a, arg(a, 0)));
            case RESHAPE, FLATTEN -> eval(arg(a, 0), reshape(idx, shape(a), shape(arg(a, 0))));
            case TRANSPOSE, PERMUTE -> eval(arg(a, 0), permute(idx, perm(a, p, bound)));
            case FLIP -> eval(arg(a, 0), flipped(idx, shape(a), bound));
            case SLICE -> eval(arg(a, 0), slice(idx, a, bound));
            case DROPOUT -> dropout(a, idx, d, bound);
            case PAD -> pad(a, idx, d, bound);
            case CONCAT -> concat(a, idx, d, bound);
            case STACK -> stack(a, idx, d, bound);
            case SUM, MEAN, MAX, MIN, LOGSUMEXP -> reduce(a, idx, d, p, bound);
            case ARGMAX, ARGMIN -> arg(a, idx, d, p == Prim.ARGMAX, bound);
            case SOFTMAX, LOG_SOFTMAX -> softmax(a, idx, d, p == Prim.LOG_SOFTMAX, bound);
            case ONE_HOT -> {
                V y = eval(arg(a, 0), idx.subList(0, idx.size() - 1));
                if (vectorAt(d)) {
                    // a row of classes along the vector loop: lanes compared with the label (cross-entropy's gradient)
                    String v = dtype(a) == DType.F32 && y.kind() == 's' && contiguous(idx.getLast()) ? dl.voneHot(y.code(), idx.getLast().code()) : null;
                    if (v == null) throw new NotVectorizable();
                    yield declare(d, dl.vectorType(), v, 'v');
                }
                yield declare(d, "double", fit(dtype(a), "(" + y.code() + " == " + idx.getLast().code() + " ? 1.0 : 0.0)", a), 's');
            }
            case EMBEDDING -> {
                noVector(d);
                V id = eval(arg(a, 1), idx.subList(0, idx.size() - 1));
                int rows = dim(arg(a, 0), 0);
                Ix row = bind(Ix.opaque("Ops.index(" + id.code() + ", " + rows + ", \"embedding\")", varsOf(idx.subList(0, idx.size() - 1))));
                yield eval(arg(a, 0), List.of(row, idx.getLast()));
            }
            case GATHER -> {
                // gather(x, index, axis)[p] = x[p with p[axis] = index[p]]
                noVector(d);
                Node x = arg(a, 0);
                int axis = axis(bound.integer("axis"), shape(x).length);
                V at = eval(arg(a, 1), idx);
                var xIdx = new ArrayList<>(idx);
                xIdx.set(axis, bind(Ix.opaque("Ops.index(" + at.code() + ", " + shape(x)[axis] + ", \"gather\")", varsOf(idx))));
                yield eval(x, xIdx);
            }
            case ZEROS, ONES, FULL -> {
                double v = p == Prim.ZEROS ? 0 : p == Prim.ONES ? 1 : Ops.convert(bound.real("value"), dtype(a));
                yield new V(literal(Tensor.fit(dtype(a), v)), 's');
            }
            case ARANGE -> {
                noVector(d);
                yield declare(d, "double", fit(dtype(a), "(double) (" + idx.getFirst().code() + ")", a), 's');
            }
            default -> elementwise(a, p, idx, d, bound);
        };
    }

    private void noVector(int d) { if (vectorAt(d)) throw new NotVectorizable(); }

    /** Elementwise and broadcasting ops: each argument at the broadcast index, then one expression. */
    private V elementwise(Node.Apply a, Prim p, List<Ix> idx, int d, Bound bound) {
        var args = new ArrayList<V>();
        for (Node x : a.args()) args.add(eval(x, broadcast(idx, a, x)));
        boolean anyVector = args.stream().anyMatch(v -> v.kind() != 's');
        if (p == Prim.POW && dtype(a).isFloat() && a.args().get(1) instanceof Node.Const c && (c.value() == 1 || c.value() == 2)) {
            // x ** 1 and x ** 2 (a square's derivative, a variance): Math.pow returns exactly x
            // and x · x for them (checked on 20M floats, interpreted and compiled), so these
            // round as the interpreter does, cost a multiply instead of a pow, and vectorize.
            V x = args.getFirst();
            if (c.value() == 1) return x;
            if (vectorAt(d) && anyVector) return vectorOp(a, Prim.MUL, List.of(x, x), d);
            return declare(d, "double", fit(dtype(a), x.code() + " * " + x.code(), a), 's');
        }
        if (vectorAt(d) && anyVector) return vectorOp(a, p, args, d);
        if (anyVector) throw new IllegalStateException("a vector operand outside the vector loop");
        return declare(d, "double", scalarOp(a, p, args.stream().map(V::code).toList(), bound), 's');
    }

    private String scalarOp(Node.Apply a, Prim p, List<String> x, Bound bound) {
        DType t = dtype(a);
        String x0 = x.getFirst(), x1 = x.size() > 1 ? x.get(1) : null;
        return switch (p) {
            case EXP -> fit(t, "Math.exp(" + x0 + ")", a);
            case LOG -> fit(t, "Math.log(" + x0 + ")", a);
            case SQRT -> fit(t, "Math.sqrt(" + x0 + ")", a);
            case RSQRT -> fit(t, "1 / Math.sqrt(" + x0 + ")", a);
            case TANH -> fit(t, "Math.tanh(" + x0 + ")", a);
            case SIGMOID -> fit(t, "dev.dlc.ops.kernels.ElementwiseKernels.sigmoid(" + x0 + ")", a);
            case RELU -> fit(t, "dev.dlc.ops.kernels.ElementwiseKernels.relu(" + x0 + ")", a);
            case SIN -> fit(t, "Math.sin(" + x0 + ")", a);
            case COS -> fit(t, "Math.cos(" + x0 + ")", a);
            case ABS -> fit(t, "Math.abs(" + x0 + ")", a);
            case SIGN -> fit(t, "Math.signum(" + x0 + ")", a);
            case NEG -> fit(t, "-" + x0, a);
            case NOT -> "(" + x0 + " == 0 ? 1.0 : 0.0)";
            case ADD -> fit(t, x0 + " + " + x1, a);
            case SUB -> fit(t, x0 + " - " + x1, a);
            case MUL -> fit(t, x0 + " * " + x1, a);
            case DIV -> fit(t, t.isFloat() ? x0 + " / " + x1 : "Ops.idiv(" + x0 + ", " + x1 + ")", a);
            case POW -> fit(t, (t.isFloat() ? "Math.pow(" : "Ops.ipow(") + x0 + ", " + x1 + ")", a);
            case MAXIMUM -> fit(t, "Math.max(" + x0 + ", " + x1 + ")", a);
            case MINIMUM -> fit(t, "Math.min(" + x0 + ", " + x1 + ")", a);
            case LT -> truth(x0 + " < " + x1);
            case LE -> truth(x0 + " <= " + x1);
            case GT -> truth(x0 + " > " + x1);
            case GE -> truth(x0 + " >= " + x1);
            case EQ -> truth(x0 + " == " + x1);
            case NE -> truth(x0 + " != " + x1);
            case AND -> truth(x0 + " != 0 && " + x1 + " != 0");
            case OR -> truth(x0 + " != 0 || " + x1 + " != 0");
            case WHERE -> fit(t, "(" + x0 + " != 0 ? " + x1 + " : " + x.get(2) + ")", a);
            case MASKED_FILL -> fit(t, "(" + x1 + " != 0 ? " + literal(bound.real("value")) + " : " + x0 + ")", a);
            case CAST -> fit(t, t.isFloat() ? x0 : "Ops.convert(" + x0 + ", DType." + t.name() + ")", a);
            default -> throw new Unsupported(a.op() + " is not generated");
        };
    }

    /** The same ops on f32 lanes, where f32 arithmetic rounds exactly as double-then-round does. */
    private V vectorOp(Node.Apply a, Prim p, List<V> x, int d) {
        DType t = dtype(a);
        if (t != DType.F32 && t != DType.BOOL) throw new NotVectorizable();
        for (Node arg : a.args()) if (dtype(arg) != DType.F32 && dtype(arg) != DType.BOOL) throw new NotVectorizable();
        String vt = dl.vectorType(), mt = dl.maskType();
        return switch (p) {
            case ADD -> declare(d, vt, dl.vbinary("add", vec(x.get(0)), vec(x.get(1))), 'v');
            case SUB -> declare(d, vt, dl.vbinary("sub", vec(x.get(0)), vec(x.get(1))), 'v');
            case MUL -> declare(d, vt, dl.vbinary("mul", vec(x.get(0)), vec(x.get(1))), 'v');
            case DIV -> declare(d, vt, dl.vbinary("div", vec(x.get(0)), vec(x.get(1))), 'v');
            case MAXIMUM -> declare(d, vt, dl.vbinary("max", vec(x.get(0)), vec(x.get(1))), 'v');
            case MINIMUM -> declare(d, vt, dl.vbinary("min", vec(x.get(0)), vec(x.get(1))), 'v');
            case NEG -> declare(d, vt, dl.vunary("neg", vec(x.get(0))), 'v');
            // within 2 ulp of the interpreter's double-precision result rounded to f32 (VectorMath)
            case EXP, SIGMOID, TANH -> {
                vectorMath = true;
                yield declare(d, vt, dl.vmath(p.name().toLowerCase(java.util.Locale.ROOT), vec(x.get(0))), 'v');
            }
            case ABS -> declare(d, vt, dl.vunary("abs", vec(x.get(0))), 'v');
            case SQRT -> declare(d, vt, dl.vunary("sqrt", vec(x.get(0))), 'v');
            case RELU -> {
                // relu keeps NaN and maps -0 to 0: zero exactly where x <= 0
                String v = vec(x.get(0));
                yield declare(d, vt, dl.vselect(dl.vcompare("LE", v, "0f"), "ZERO", v), 'v');
            }
            case LT, LE, GT, GE, EQ, NE -> {
                if (dtype(a.args().get(0)) != DType.F32) throw new NotVectorizable();
                yield declare(d, mt, dl.vcompare(p.name(), vec(x.get(0)), vec(x.get(1))), 'm');
            }
            case AND -> declare(d, mt, dl.vmask("and", mask(x.get(0)), mask(x.get(1))), 'm');
            case OR -> declare(d, mt, dl.vmask("or", mask(x.get(0)), mask(x.get(1))), 'm');
            case NOT -> declare(d, mt, dl.vmask("not", mask(x.get(0)), null), 'm');
            case WHERE -> {
                if (t != DType.F32) throw new NotVectorizable();
                yield declare(d, vt, dl.vselect(mask(x.get(0)), vec(x.get(1)), vec(x.get(2))), 'v');
            }
            case CAST -> {
                if (t != DType.F32) throw new NotVectorizable();
                V v = x.getFirst();
                yield v.kind() == 'm' ? declare(d, vt, dl.maskToFloat(v.code()), 'v') : v;
            }
            default -> throw new NotVectorizable();
        };
    }

    private String vec(V v) {
        return switch (v.kind()) {
            case 'v' -> v.code();
            case 's' -> dl.vsplat(v.code());
            default -> throw new NotVectorizable();
        };
    }

    private String mask(V v) {
        return switch (v.kind()) {
            case 'm' -> v.code();
            case 's' -> dl.vsplatMask(v.code());
            default -> throw new NotVectorizable();
        };
    }

    /**
     * Inverted dropout as the reference kernel: element i (row-major in the op's shape) is kept
     * iff u(key, i) >= p, the key from the step's seed and the op's stream: its site (its
     * {@code site} attribute, else its position in the graph, as the interpreter numbers it)
     * mixed with the frame's scope, which a compiled scan sets for every step of its body.
     */
    private V dropout(Node.Apply a, List<Ix> idx, int d, Bound bound) {
        Node x = arg(a, 0);
        double p = bound.real("p");
        if (Double.isNaN(p)) throw new Unsupported("dropout: the rate p is not known");
        boolean on = a.attrs().get("training") instanceof Boolean b ? b : training;
        if (!on || p == 0) return eval(x, idx);
        V v = eval(x, idx);
        long site = a.site(position.get(a));
        String key = "key" + id(a);
        Block top = stack.getFirst();
        if (top.memo.putIfAbsent(key, new V(key, 's')) == null)
            top.code.append("final long ").append(key).append(" = CounterRng.key(seed, CounterRng.stream(scope, ").append(site).append("L));\n");
        Ix flat = flat(idx, shape(a));
        // Kept elements are x · scale with scale = 1/(1-p) split into f32 parts hi + lo:
        // fma(x, hi, x · lo) is the interpreter's double product rounded to f32 except in
        // near-ties 2^-24 ulp away, and the vector body and the scalar tail use the same formula.
        double exact = 1 / (1 - p);
        float scale = (float) exact, low = (float) (exact - scale);
        if (vectorAt(d)) {
            if (dtype(a) != DType.F32 || !contiguous(flat)) throw new NotVectorizable();
            return declare(d, dl.vectorType(), dl.vdropout(vec(v), key, flat.code(), DropoutMask.threshold(p), scale, low), 'v');
        }
        String kept = dtype(a) == DType.F32
                ? "(double) Math.fma((float) " + v.code() + ", " + Float.toHexString(scale) + "f, (float) " + v.code() + " * " + Float.toHexString(low) + "f)"
                : v.code() + " * " + literal(1 / (1 - p));
        return declare(d, "double", fit(dtype(a), "(DropoutMask.kept(" + key + ", " + flat.code() + ", " + literal(p) + ") ? " + kept + " : 0.0)", a), 's');
    }

    // ------------------------------------------------------------------ guarded reads

    /**
     * The value of {@code x} at {@code at} where {@code cond} holds, else {@code otherwise}:
     * everything the read needs is computed inside the {@code if}, never hoisted above it, so a
     * load outside the argument (a pad's border) is never executed.
     */
    private static final String OUT = "@@out@@";

    private String guarded(int d, String cond, Node x, List<Ix> at) {
        Block here = stack.get(d);
        // in the innermost vector loop (cond then holds for the whole vector): a vector read
        boolean vector = vectorAt(d);
        Block g = vector ? new Block(true, here.mask, here.count) : new Block(false);
        var saved = stack;
        var inner = new ArrayList<Block>();
        for (int k = 0; k < stack.size(); k++) inner.add(k <= d ? g : stack.get(k));
        stack = inner;
        try {
            V v = eval(x, at);
            return "if (" + cond + ") {\n" + g.code + OUT + " = " + (vector ? vec(v) : v.code()) + ";\n}";
        } finally {
            stack = saved;
        }
    }

    /** pad: x at the index less the leading pads, {@code value} outside x (pads are (before, after) pairs, last axis first). */
    private V pad(Node.Apply a, List<Ix> idx, int d, Bound bound) {
        noVector(d);
        Node x = arg(a, 0);
        int[] xs = shape(x);
        var pads = bound.ints("pads");
        var at = new ArrayList<Ix>();
        var cond = new ArrayList<String>();
        for (int k = 0; k < xs.length; k++) {
            int p = xs.length - 1 - k;
            long before = p < pads.size() / 2 ? pads.get(2 * p) : 0;
            Ix i = bind(idx.get(k).plus(Ix.of(-before)));
            at.add(i);
            if (before != 0 || shape(a)[k] != xs[k]) cond.add("(" + i.code() + ") >= 0 && (" + i.code() + ") < " + xs[k]);
        }
        String name = "v" + (fresh++);
        String read = guarded(d, cond.isEmpty() ? "true" : String.join(" && ", cond), x, at);
        stack.get(d).code.append("double ").append(name).append(" = ").append(literal(fit(dtype(a), bound.real("value"), a))).append(";\n")
                .append(read.replace(OUT, name)).append('\n');
        return new V(name, 's');
    }

    /**
     * concat along an axis: the part whose range along it holds the index, read at the index
     * less the part's start. In the innermost vector loop when that loop does not run along the
     * axis: the part is then the same for a whole vector, picked once for it (DenseNet's batch
     * norms read a block's layers concatenated along the channels: element by element, a
     * branch per part, they took a nanosecond an element).
     */
    private V concat(Node.Apply a, List<Ix> idx, int d, Bound bound) {
        int rank = shape(a).length;
        int axis = axis(bound.integer("axis"), rank);
        boolean vector = vectorAt(d);
        if (vector && (dtype(a) != DType.F32 || bind(idx.get(axis)).vars().contains(innerVar))) throw new NotVectorizable();
        String name = "v" + (fresh++);
        var code = new StringBuilder(vector ? dl.vectorType() + " " + name + " = " + dl.vsplat("0.0") : "double " + name + " = 0.0").append(";\n");
        long start = 0;
        for (int t = 0; t < a.args().size(); t++) {
            Node x = arg(a, t);
            long len = shape(x)[axis];
            var at = new ArrayList<>(idx);
            at.set(axis, idx.get(axis).plus(Ix.of(-start)));
            String i = bind(idx.get(axis)).code();
            String read = guarded(d, "(" + i + ") >= " + start + " && (" + i + ") < " + (start + len), x, at);
            code.append(t == 0 ? "" : "else ").append(read.replace(OUT, name)).append('\n');
            start += len;
        }
        stack.get(d).code.append(code);
        return new V(name, vector ? 'v' : 's');
    }

    /** stack along a new axis: part t at the index without that axis, where the index along it is t. */
    private V stack(Node.Apply a, List<Ix> idx, int d, Bound bound) {
        noVector(d);
        int axis = axis(bound.integer("axis"), shape(a).length);
        var at = new ArrayList<>(idx);
        at.remove(axis);
        String i = bind(idx.get(axis)).code(), name = "v" + (fresh++);
        var code = new StringBuilder("double ").append(name).append(" = 0.0;\n");
        for (int t = 0; t < a.args().size(); t++)
            code.append(t == 0 ? "" : "else ").append(guarded(d, "(" + i + ") == " + t, arg(a, t), at).replace(OUT, name)).append('\n');
        stack.get(d).code.append(code);
        return new V(name, 's');
    }

    // ------------------------------------------------------------------ reductions

    /** The reduced axes of a reduction node (all when it names none). */
    private static boolean[] reducedAxes(Node.Apply a, Bound bound, int rank) {
        var reduced = new boolean[rank];
        var axes = bound.has("axis") ? bound.axes("axis") : java.util.Optional.<List<Long>>empty();
        if (axes.isPresent()) for (long x : axes.get()) reduced[(int) (x < 0 ? x + rank : x)] = true;
        else java.util.Arrays.fill(reduced, true);
        return reduced;
    }

    private V reduce(Node.Apply a, List<Ix> idx, int d, Prim p, Bound bound) {
        noVector(d);
        Node x = arg(a, 0);
        int[] xs = shape(x);
        boolean[] reduced = reducedAxes(a, bound, xs.length);
        boolean keep = bound.has("keepdims") && bound.bool("keepdims");
        var xIdx = new ArrayList<Ix>();
        var loops = new ArrayList<String[]>(); // {var, size}
        int[] looped = mergedReduction(x, xs, reduced);
        int j = 0;
        long count = 1;
        for (int k = 0; k < xs.length; k++) {
            if (reduced[k]) {
                count *= xs[k];
                if (keep) j++;
                if (looped[k] == 1) { xIdx.add(Ix.of(0)); continue; }
                String r = "r" + (fresh++);
                loops.add(new String[] {r, String.valueOf(looped[k])});
                xIdx.add(Ix.var(r));
            } else xIdx.add(idx.get(j++));
        }
        String acc = "a" + (fresh++);
        Block parent = stack.get(d);
        double init = switch (p) { case MAX, LOGSUMEXP -> Double.NEGATIVE_INFINITY; case MIN -> Double.POSITIVE_INFINITY; default -> 0; };
        pointWork = Math.max(pointWork, count);
        parent.code.append("double ").append(acc).append(" = ").append(literal(init)).append(";\n");
        if ((p == Prim.SUM || p == Prim.MEAN) && !loops.isEmpty() && Integer.parseInt(loops.getLast()[1]) >= 2 * PARTS) {
            if (!vectorSumOver(d, loops, xIdx, x, acc)) sumOver(d, loops, xIdx, x, acc);
        } else {
            String step = switch (p) {
            case MAX, LOGSUMEXP -> acc + " = Math.max(" + acc + ", %s);";
            case MIN -> acc + " = Math.min(" + acc + ", %s);";
                default -> acc + " += %s;";
            };
            loopOver(d, loops, xIdx, x, step);
        }
        String result = acc;
        if (p == Prim.MEAN) result = acc + " / " + count;
        if (p == Prim.LOGSUMEXP) {
            // logsumexp = m + log Σ e^(x - m); an infinite m is the answer itself
            String s = "a" + (fresh++);
            parent.code.append("double ").append(s).append(" = 0.0;\n");
            loopOver(d, loops, xIdx, x, s + " += Math.exp(%s - " + acc + ");");
            result = "(Double.isInfinite(" + acc + ") ? " + acc + " : " + acc + " + Math.log(" + s + "))";
        }
        return declare(d, "double", fit(dtype(a), result, a), 's');
    }

    /**
     * The sizes a reduction loops over x's axes: x's shape, except that trailing axes which are
     * all reduced run as one loop where x reads them elementwise (as {@link #merged} runs a
     * nest's): the loop stands on the last of them longer than 1, the others become 1. A bias
     * gradient's or a batch norm's sum over [N, C, H, W] per channel then runs over planes of
     * H·W in whole vectors (LeNet's 10 × 10 planes: rows of 10 were summed in scalars).
     */
    private int[] mergedReduction(Node x, int[] xs, boolean[] reduced) {
        int from = xs.length;
        while (from > 0 && reduced[from - 1]) from--;
        return mergedFrom(List.of(x), xs, from);
    }

    /** Partial sums of {@link #sumOver}. */
    private static final int PARTS = 4;

    /**
     * {@code acc = Σ x} over {@code loops}, with PARTS partial sums taking turns along the
     * innermost loop, added pairwise at the end: PARTS chains of double adds in flight instead of
     * one (a double add waits four cycles for the previous). The order differs from a single
     * running sum, by about an ulp of the double sum; it is fixed, so results are still
     * deterministic, and rounded to f32 they almost always equal the interpreter's.
     */
    private void sumOver(int d, List<String[]> loops, List<Ix> xIdx, Node x, String acc) {
        int last = loops.size() - 1;
        String r = loops.get(last)[0];
        int n = Integer.parseInt(loops.get(last)[1]);
        var parts = new ArrayList<String>();
        for (int q = 0; q < PARTS; q++) parts.add(acc + "_" + q);
        stack.get(d).code.append("double ").append(String.join(" = 0.0, ", parts)).append(" = 0.0;\n");
        within(d, loops.subList(0, last), () -> {
            depthOf.put(r, d + 1 + last);
            Block unrolled = new Block(false), tail = new Block(false);
            stack.add(unrolled);
            for (int q = 0; q < PARTS; q++) {
                V v = eval(x, shifted(xIdx, r, q));
                unrolled.code.append(parts.get(q)).append(" += ").append(v.code()).append(";\n");
            }
            stack.set(stack.size() - 1, tail);
            V v = eval(x, xIdx);
            tail.code.append(parts.getFirst()).append(" += ").append(v.code()).append(";\n");
            return "{\nint " + r + " = 0;\n"
                    + "for (; " + r + " <= " + (n - PARTS) + "; " + r + " += " + PARTS + ") {\n" + unrolled.code + "}\n"
                    + "for (; " + r + " < " + n + "; " + r + "++) {\n" + tail.code + "}\n}\n";
        });
        stack.get(d).code.append(acc).append(" = (").append(parts.get(0)).append(" + ").append(parts.get(1)).append(") + (")
                .append(parts.get(2)).append(" + ").append(parts.get(3)).append(");\n");
    }

    /**
     * {@link #sumOver} with the innermost loop in f32 vectors, widened into double lanes, when
     * that loop is at least a vector long and x there is exact in f32 lanes with contiguous
     * loads; false (and nothing written but hoisted scalars) otherwise. Lane j of each sum
     * vector takes the elements at j modulo the vector length; the lanes are added in order,
     * then the scalar tail: a fixed order, so still deterministic. (A batch norm's statistics,
     * [16, 64, 48, 48] per channel: 2.5 ms in scalar double chains, 0.2 in vectors.)
     */
    private boolean vectorSumOver(int d, List<String[]> loops, List<Ix> xIdx, Node x, String acc) {
        int lanes = dl.lanes(), last = loops.size() - 1, n = Integer.parseInt(loops.get(last)[1]);
        if (lanes == 0 || dl.sumLanes() == 0 || n < lanes || vectorAt(d)) return false;
        int parts = lanes / dl.sumLanes();
        String r = loops.get(last)[0];
        var sums = new ArrayList<String>();
        for (int q = 0; q < parts; q++) sums.add(acc + "_v" + q);
        String tailSum = acc + "_t";
        int savedDepth = innerDepth;
        String savedVar = innerVar;
        var code = new StringBuilder();
        for (String v : sums) code.append(dl.vsumType()).append(' ').append(v).append(" = ").append(dl.vsumZero()).append(";\n");
        code.append("double ").append(tailSum).append(" = 0.0;\n");
        var parent = stack.get(d).code;
        try {
            int saved = parent.length();
            within(d, loops.subList(0, last), () -> {
                int depth = d + 1 + last;
                depthOf.put(r, depth);
                innerDepth = depth;
                innerVar = r;
                Block body = new Block(true), tail = new Block(false);
                stack.add(body);
                String v = vec(eval(x, xIdx));
                for (int q = 0; q < parts; q++) body.code.append(sums.get(q)).append(" = ").append(dl.vsumAdd(sums.get(q), v, q)).append(";\n");
                innerDepth = savedDepth;
                innerVar = savedVar;
                stack.set(stack.size() - 1, tail);
                V t = eval(x, xIdx);
                tail.code.append(tailSum).append(" += ").append(t.code()).append(";\n");
                return "{\nint " + r + " = 0;\n"
                        + "for (; " + r + " < " + dl.vectorBound("0", String.valueOf(n)) + "; " + r + " += " + dl.vectorStep() + ") {\n" + body.code + "}\n"
                        + "for (; " + r + " < " + n + "; " + r + "++) {\n" + tail.code + "}\n}\n";
            });
            // the sums' declarations go before the loops within() appended
            parent.insert(saved, code);
        } catch (NotVectorizable e) {
            return false;
        } finally {
            innerDepth = savedDepth;
            innerVar = savedVar;
        }
        var total = new StringBuilder();
        for (String v : sums)
            for (int l = 0; l < dl.sumLanes(); l++) total.append(total.isEmpty() ? "" : " + ").append(dl.vsumLane(v, l));
        parent.append(acc).append(" = ").append(total).append(" + ").append(tailSum).append(";\n");
        return true;
    }

    /** {@code idx} with the loop variable {@code r} advanced by q. */
    private static List<Ix> shifted(List<Ix> idx, String r, int q) {
        var out = new ArrayList<Ix>();
        for (Ix i : idx) out.add(i.affine() && i.coef(r) != 0 ? i.plus(Ix.of(q * i.coef(r))) : i);
        return out;
    }

    /** Loops over {@code loops} below block d, evaluating {@code x} at {@code xIdx} and running {@code step} (%s = its value). */
    private void loopOver(int d, List<String[]> loops, List<Ix> xIdx, Node x, String step) {
        within(d, loops, () -> {
            V v = eval(x, xIdx);
            stack.getLast().code.append(step.formatted(v.code())).append('\n');
            return "";
        });
    }

    /**
     * Opens a block per loop of {@code loops} below block d (their variables at the next
     * depths), runs {@code body} with the stack ending in them, and appends to block d the
     * loops around each block's code and the code {@code body} returns, innermost.
     */
    private void within(int d, List<String[]> loops, Supplier<String> body) {
        var saved = stack;
        var opened = new ArrayList<Block>();
        stack = new ArrayList<>(stack.subList(0, d + 1));
        for (int k = 0; k < loops.size(); k++) {
            depthOf.put(loops.get(k)[0], d + 1 + k);
            var b = new Block(false);
            stack.add(b);
            opened.add(b);
        }
        String code;
        try {
            code = body.get();
        } finally {
            stack = saved;
        }
        for (int k = loops.size() - 1; k >= 0; k--) {
            String r = loops.get(k)[0];
            code = "for (int " + r + " = 0; " + r + " < " + loops.get(k)[1] + "; " + r + "++) {\n" + opened.get(k).code + code + "}\n";
        }
        stack.get(d).code.append(code);
    }

    private int axisOf(Bound bound, int rank) {
        long ax = bound.has("axis") ? bound.integer("axis") : -1;
        return (int) (ax < 0 ? ax + rank : ax);
    }

    /** argmax / argmin along one axis: the first position of the best value, a NaN counting as best (as the reference). */
    private V arg(Node.Apply a, List<Ix> idx, int d, boolean max, Bound bound) {
        noVector(d);
        Node x = arg(a, 0);
        int[] xs = shape(x);
        int axis = axisOf(bound, xs.length);
        boolean keep = bound.has("keepdims") && bound.bool("keepdims");
        String r = "r" + (fresh++), best = "b" + (fresh++), bv = "w" + (fresh++);
        var xIdx = lineIndex(idx, xs.length, axis, keep, Ix.var(r));
        String start = contiguousLine(x, lineIndex(idx, xs.length, axis, keep, Ix.of(0)), xIdx, r);
        String line = start == null ? null : dl.vline(max ? "lineArgmax" : "lineArgmin", place(x).array(), start, xs[axis]);
        if (line != null) return declare(d, "double", fit(dtype(a), "(double) " + line, a), 's');
        stack.get(d).code.append("int ").append(best).append(" = 0;\ndouble ").append(bv).append(" = 0;\n");
        String step = "if (" + r + " == 0) " + bv + " = %1$s; else if (!Double.isNaN(" + bv + ") && (Double.isNaN(%1$s) || %1$s "
                + (max ? ">" : "<") + " " + bv + ")) { " + best + " = " + r + "; " + bv + " = %1$s; }";
        loopOver(d, List.<String[]>of(new String[] {r, String.valueOf(xs[axis])}), xIdx, x, step);
        return declare(d, "double", fit(dtype(a), "(double) " + best, a), 's');
    }

    /** The index of x for an output index along one axis: the axis gets {@code at}, kept or dropped in the output. */
    private static List<Ix> lineIndex(List<Ix> idx, int rank, int axis, boolean keep, Ix at) {
        var out = new ArrayList<Ix>();
        int j = 0;
        for (int k = 0; k < rank; k++) {
            if (k == axis) {
                out.add(at);
                if (keep) j++;
            } else out.add(idx.get(j++));
        }
        return out;
    }

    /**
     * softmax / log_softmax of f32 lines: once per line, the whole line into a task-private
     * array ({@link VectorMath#softmaxLine}, from x in memory or from the line computed into
     * the array first); each element then reads it, in vectors when the line runs along the
     * vector loop. A ViT's attention weights, [128, 4, 50, 50], took 16 ms a step with the
     * elements in scalar {@code Math.exp} and the scaled scores computed three times; 3 ms after.
     * Other dtypes, or a dialect without line functions: the line's max and Σ e^(x - max) in
     * scalars, then the element.
     */
    private V softmax(Node.Apply a, List<Ix> idx, int d, boolean log, Bound bound) {
        Node x = arg(a, 0);
        int[] xs = shape(x);
        int axis = axisOf(bound, xs.length);
        var kept = new ArrayList<>(idx);
        kept.set(axis, Ix.of(0));
        int ld = depth(kept);
        Ix at = idx.get(axis);
        if (vectorAt(d) && (ld >= d || dtype(a) != DType.F32 || dtype(x) != DType.F32 || !contiguous(at))) throw new NotVectorizable();
        String key = "sm" + id(a) + "@" + codes(kept);
        V line = stack.get(ld).memo.get(key);
        if (line == null) {
            String r = "r" + (fresh++);
            var xIdx = new ArrayList<>(kept);
            xIdx.set(axis, Ix.var(r));
            var loop = List.<String[]>of(new String[] {r, String.valueOf(xs[axis])});
            var code = stack.get(ld).code;
            String out = dtype(x) == DType.F32 && dtype(a) == DType.F32 ? lineScratch(ld, xs[axis]) : null;
            if (out != null) {
                String start = contiguousLine(x, kept, xIdx, r), src = start == null ? out : place(x).array();
                if (start == null) {
                    // x computed here (scaled, masked scores): the line as floats first
                    loopOver(ld, loop, xIdx, x, out + "[" + r + "] = (float) %s;");
                    start = "0";
                }
                code.append(dl.softmaxLine(src, start, xs[axis], out, log)).append('\n');
                line = new V(out, 'a');
            } else {
                if (vectorAt(d)) throw new NotVectorizable();
                String m = "m" + (fresh++), s = "s" + (fresh++), ls = "l" + (fresh++);
                code.append("double ").append(m).append(" = Double.NEGATIVE_INFINITY;\ndouble ").append(s).append(" = 0.0;\n");
                loopOver(ld, loop, xIdx, x, m + " = Math.max(" + m + ", %s);");
                loopOver(ld, loop, xIdx, x, s + " += Math.exp(%s - " + m + ");");
                // log Σ once per line, not once per element (the JIT does not hoist Math.log)
                if (log) code.append("final double ").append(ls).append(" = Math.log(").append(s).append(");\n");
                line = new V(m + "," + s + "," + ls, 's');
            }
            stack.get(ld).memo.put(key, line);
        }
        if (line.kind() == 'a') {
            if (vectorAt(d)) return declare(d, dl.vectorType(), dl.vload(line.code(), at.code(), stack.get(d).mask), 'v');
            return declare(d, "double", "(double) " + line.code() + "[" + bind(at).code() + "]", 's');
        }
        String[] parts = line.code().split(",");
        String z = "(" + eval(x, idx).code() + " - " + parts[0] + ")";
        return declare(d, "double", fit(dtype(a), log ? z + " - " + parts[2] : "Math.exp" + z + " / " + parts[1], a), 's');
    }

    /**
     * A task-private float array of n elements for lines computed at depth d, declared outside
     * every loop that reuses it: before the parallel loop's range for d >= 1, else in block 0,
     * which runs once. Null where the dialect has none.
     */
    private String lineScratch(int d, int n) {
        String name = "xl" + (fresh++), decl = dl.lineScratch(name, n);
        if (decl == null) return null;
        (d == 0 ? stack.getFirst().code : taskPrologue).append(decl).append('\n');
        return name;
    }

    /** Where a value is stored (a place other than its storage for an opaque op's result in scratch). */
    private Storage.Loc place(Node n) { return memory.containsKey(n) ? memory.get(n) : storage.loc(n); }

    /**
     * The flat index of a softmax line's first element when x is read from memory (not computed
     * in this kernel) as f32 elements one apart along the line; null otherwise.
     */
    private String contiguousLine(Node x, List<Ix> kept, List<Ix> xIdx, String r) {
        if (computed.contains(x) && !memory.containsKey(x)) return null;
        Storage.Loc at = place(x);
        if (at == null || at.table() != 'f') return null;
        Ix flat = stored(x, xIdx);
        if (!flat.affine() || flat.coef(r) != 1) return null;
        arrays.add(at);
        return bind(stored(x, kept).plus(Ix.of(at.offset()))).code();
    }

    // ------------------------------------------------------------------ indices

    /**
     * An opaque index held in an int variable, declared in the outermost loop its variables
     * allow (once per block): nested reshapes and gathers would otherwise repeat the whole
     * expression inside every index built on it, growing the source exponentially.
     */
    private Ix bind(Ix i) {
        if (i.affine()) return i;
        int d = 0;
        for (String v : i.vars()) d = Math.max(d, depthOf.getOrDefault(v, 0));
        Block b = stack.get(d);
        String key = "ix:" + i.opaque();
        V hit = b.memo.get(key);
        String name;
        if (hit != null) name = hit.code();
        else {
            name = "j" + (fresh++);
            b.code.append("final int ").append(name).append(" = ").append(i.opaque()).append(";\n");
            b.memo.put(key, new V(name, 's'));
        }
        for (String v : i.vars()) depthOf.putIfAbsent(v, 0);
        depthOf.put(name, d);
        return Ix.var(name);
    }

    /**
     * Whether consecutive points of the innermost loop read consecutive elements at {@code flat}:
     * the loop variable's coefficient is 1 and no bound variable depends on it.
     */
    private boolean contiguous(Ix flat) {
        if (!flat.affine() || flat.coef(innerVar) != 1) return false;
        for (String v : flat.terms().keySet()) if (!v.equals(innerVar) && depthOf.getOrDefault(v, 0) >= innerDepth) return false;
        return true;
    }

    /**
     * k when each element at {@code flat} is read by k consecutive points of the innermost loop
     * (an upsampling broadcast, as in a tiling pool's gradient), else 0.
     * It holds when the only term that moves with the loop is a quotient {@code floor(num / k)}
     * with coefficient 1, num has the loop variable with coefficient 1, and everything else in
     * num is a multiple of k: a vector starts at a multiple of its length, so when k divides
     * that length the vector's lanes read {@code flat + lane / k}.
     */
    private long repeats(Ix flat) {
        if (!flat.affine() || flat.coef(innerVar) != 0) return 0;
        String moving = null;
        for (String v : flat.terms().keySet())
            if (depthOf.getOrDefault(v, 0) >= innerDepth) {
                if (moving != null) return 0;
                moving = v;
            }
        Quotient q = moving == null ? null : quotients.get(moving);
        if (q == null || flat.coef(moving) != 1 || q.k() > dl.vectorLength() || dl.vectorLength() % q.k() != 0) return 0;
        Ix num = q.num();
        if (!num.affine() || num.coef(innerVar) != 1 || num.c() % q.k() != 0) return 0;
        for (var t : num.terms().entrySet())
            if (!t.getKey().equals(innerVar) && (t.getValue() % q.k() != 0 || depthOf.getOrDefault(t.getKey(), 0) >= innerDepth)) return 0;
        return q.k();
    }

    /** Row-major flat index of {@code idx} in {@code shape}. */
    private static Ix flat(List<Ix> idx, int[] shape) {
        Ix f = Ix.of(0);
        long stride = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            f = f.plus(idx.get(k).times(stride));
            stride *= shape[k];
        }
        return f;
    }

    /** NumPy broadcasting from {@code out}'s index to {@code arg}'s: align right, size-1 axes read index 0. */
    private static List<Ix> broadcast(List<Ix> idx, Node out, Node arg) {
        if (arg instanceof Node.Const) return List.of();
        int[] as = shape(arg);
        int shift = idx.size() - as.length;
        var res = new ArrayList<Ix>();
        for (int k = 0; k < as.length; k++) res.add(as[k] == 1 ? Ix.of(0) : idx.get(k + shift));
        return res;
    }

    /**
     * reshape: the two shapes are cut into groups of consecutive axes with equal products (a
     * row-major reshape only regroups). Within a group, the argument's index is the group's flat
     * position unravelled: affine when the argument has one axis there (axes split, or only
     * size-1 axes differ), a division and a remainder per axis when it merges several.
     */
    private List<Ix> reshape(List<Ix> idx, int[] out, int[] in) {
        var res = new ArrayList<Ix>();
        if (Tensor.numel(in) == 0) {
            for (int k = 0; k < in.length; k++) res.add(Ix.of(0));
            return res;
        }
        int i = 0, o = 0;
        while (i < in.length && o < out.length) {
            int i0 = i, o0 = o;
            long pi = in[i++], po = out[o++];
            while (pi != po) {
                if (pi < po) pi *= in[i++];
                else po *= out[o++];
            }
            // the group's flat position in the output
            Ix f = Ix.of(0);
            long stride = 1;
            for (int k = o - 1; k >= o0; k--) {
                f = f.plus(idx.get(k).times(stride));
                stride *= out[k];
            }
            int real = 0;
            for (int k = i0; k < i; k++) if (in[k] != 1) real++;
            if (real <= 1) {
                for (int k = i0; k < i; k++) res.add(in[k] == 1 ? Ix.of(0) : f);
                continue;
            }
            Ix bound = bind(f);
            long st = 1;
            var strides = new long[i - i0];
            for (int k = i - 1; k >= i0; k--) { strides[k - i0] = st; st *= in[k]; }
            for (int k = i0; k < i; k++) {
                if (in[k] == 1) { res.add(Ix.of(0)); continue; }
                long sk = strides[k - i0];
                String code = "(" + bound.code() + ")" + (sk == 1 ? "" : " / " + sk) + (k == i0 ? "" : " % " + in[k]);
                Ix at = bind(Ix.opaque("(" + code + ")", bound.vars()));
                if (k == i0 && sk > 1) quotients.putIfAbsent(at.code(), new Quotient(bound, sk));
                res.add(at);
            }
        }
        while (res.size() < in.length) res.add(Ix.of(0)); // trailing size-1 axes
        return res;
    }

    static int[] perm(Node.Apply a, Prim p, Bound bound) {
        int rank = shape(a).length;
        var perm = new int[rank];
        if (p == Prim.TRANSPOSE) {
            int x = axis(bound.integer("a"), rank), y = axis(bound.integer("b"), rank);
            for (int i = 0; i < rank; i++) perm[i] = i == x ? y : i == y ? x : i;
        } else {
            var axes = bound.ints("axes");
            for (int k = 0; k < rank; k++) perm[k] = axis(axes.get(k), rank);
        }
        return perm;
    }

    /** out[o] = x[i] with i[perm[k]] = o[k]. */
    private static List<Ix> permute(List<Ix> idx, int[] perm) {
        var res = new Ix[idx.size()];
        for (int k = 0; k < perm.length; k++) res[perm[k]] = idx.get(k);
        return List.of(res);
    }

    private static List<Ix> slice(List<Ix> idx, Node.Apply a, Bound bound) {
        int[] xs = shape(arg(a, 0));
        int axis = axis(bound.integer("axis"), xs.length), n = xs[axis];
        long s0 = Tensor.size(bound.dim("start"));
        long s = s0 < 0 ? Math.max(0, s0 + n) : Math.min(s0, n), step = bound.integer("step");
        var res = new ArrayList<>(idx);
        res.set(axis, idx.get(axis).times(step).plus(Ix.of(s)));
        return res;
    }

    /** Part i of {@code split(x, sizes, axis)} read from x: the axis shifted past the parts before it. */
    private static List<Ix> splitPart(List<Ix> idx, Node.Project part) {
        var split = (Node.Apply) part.tuple();
        int axis = axis(new Bound(split.op(), split.attrs()).integer("axis"), idx.size());
        long start = 0;
        for (int i = 0; i < part.index(); i++)
            start += Tensor.shapeOf((Type.Tensor) ((Type.Tuple) split.type()).parts().get(i))[axis];
        var res = new ArrayList<>(idx);
        res.set(axis, idx.get(axis).plus(Ix.of(start)));
        return res;
    }

    static int axis(long a, int rank) { return (int) (a < 0 ? a + rank : a); }

    private int depth(List<Ix> idx) {
        int d = 0;
        for (Ix i : idx) for (String v : i.vars()) d = Math.max(d, depthOf.getOrDefault(v, 0));
        return d;
    }

    private static Set<String> varsOf(List<Ix> idx) {
        var s = new LinkedHashSet<String>();
        idx.forEach(i -> s.addAll(i.vars()));
        return s;
    }

    private static String codes(List<Ix> idx) {
        var sb = new StringBuilder();
        for (Ix i : idx) sb.append(i.code()).append(',');
        return sb.toString();
    }

    private int id(Node n) { return ids.computeIfAbsent(n, _ -> ids.size()); }

    // ------------------------------------------------------------------ dtypes and literals

    /** {@code expr} rounded to dtype t, as the interpreter fits every result. */
    private static String fit(DType t, String expr, Node at) {
        return switch (t) {
            case F32 -> "(double) (float) (" + expr + ")";
            case F64 -> "(" + expr + ")";
            case F16, BF16 -> "Ops.fit(DType." + t.name() + ", " + expr + ")";
            case I32 -> "(double) (int) (long) (" + expr + ")";
            case I64 -> "(double) (long) (" + expr + ")";
            case BOOL -> "((" + expr + ") != 0 ? 1.0 : 0.0)";
        };
    }

    private static double fit(DType t, double v, Node at) {
        if (Double.isNaN(v) && at instanceof Node.Const)
            throw new Unsupported("a constant known only at run time (a config value without a default?)");
        return Tensor.fit(t, v);
    }

    private static String truth(String cond) { return "(" + cond + " ? 1.0 : 0.0)"; }

    static String literal(double v) {
        if (Double.isNaN(v)) return "Double.NaN";
        if (Double.isInfinite(v)) return v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
        return "Double.longBitsToDouble(0x" + Long.toHexString(Double.doubleToRawLongBits(v)) + "L)";
    }

    static Prim prim(Node.Apply a) {
        return OpTable.forNode(a.op(), a.args().size()).orElseThrow(() -> new Unsupported("no primitive " + a.op())).prim();
    }

    private static Node arg(Node.Apply a, int i) { return a.args().get(i); }

    static DType dtype(Node n) { return ((Type.Tensor) n.type()).dtype(); }

    static int[] shape(Node n) { return Tensor.shapeOf((Type.Tensor) n.type()); }

    private static int dim(Node n, int axis) { return shape(n)[axis]; }
}
