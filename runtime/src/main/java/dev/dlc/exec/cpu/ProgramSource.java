package dev.dlc.exec.cpu;

import dev.dlc.ir.FusedProgram;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.Node;
import dev.dlc.ir.Scan;
import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The source of a program's class: one method per kernel it generates, in a dialect.
 * <ul>
 *   <li>ELEMENTWISE, REDUCE, HORIZONTAL: one loop nest per part and output shape ({@link KernelWriter}).
 *   <li>OPAQUE: a call of {@link Gemm}, {@link Conv2d} or {@link Pool2d}, then the epilogue's
 *       loop nest reading the op's result. A matmul followed by {@code + bias[N]} (and then
 *       relu) gets both in the GEMM's own epilogue, applied while each tile is in cache; a
 *       matmul operand that is a transpose kernel's output is read in place, transposed, and
 *       a convolution operand that is a permute kernel's swap of the first two axes is read
 *       in place, swapped (a weight gradient's operands); such a kernel is skipped when nothing
 *       else needs its copy.
 *   <li>VIEW: nothing. SCAN: not here; {@link CpuProgram} runs its body as a program of its
 *       own ({@link CompiledScan}), else through the interpreter.
 * </ul>
 * A {@code split} is generated as the slices its parts are; scatter_add as a call of
 * {@link Scatter}. Not generated (the interpreter's fallback): a matmul with batch axes that
 * broadcast partially, any opaque op on dtypes other than f32 (an i32 index aside), tuple ops
 * other than split.
 */
final class ProgramSource {
    private final Dialect dl;
    private final FusedProgram p;
    private final Storage storage;
    private final Map<Node, Long> positions;
    private final boolean training;
    private final StringBuilder methods = new StringBuilder();
    private final List<Integer> kernels = new ArrayList<>();
    /** Why each kernel not generated is not, by kernel id, in kernel order. */
    private final Map<Integer, String> fallbacks = new LinkedHashMap<>();
    private final Set<Integer> skipped = new HashSet<>();
    private final Map<Node, List<Node>> users = new IdentityHashMap<>();
    private final Set<Node> outputs;
    /** A transpose of the last two axes (its value) -> what it transposes, when it is a kernel of its own. */
    private final Map<Node, Node> transposes = new IdentityHashMap<>();
    /** A permute swapping the first two axes of a 4-D value -> what it permutes, when it is a kernel of its own. */
    private final Map<Node, Node> swaps = new IdentityHashMap<>();
    /**
     * Those swaps whose kernel also reverses the kernel taps ({@link #flippedSwap}): an input
     * gradient's weights, read in place as swapped and flipped weights only.
     */
    private final Set<Node> flippedSwaps = CpuProgram.identitySet(List.of());
    /** The kernel of each of those transposes and swaps. */
    private final Map<Node, Integer> transposeKernel = new IdentityHashMap<>();
    /** The last kernel that reads each arena value (the memory plan's lifetimes). */
    private final Map<Node, Integer> lastUse = new IdentityHashMap<>();
    private int current;
    /** Transposes and swaps some generated matmul or convolution reads as copied (so their kernel must run). */
    private final Set<Node> readCopied = CpuProgram.identitySet(List.of());
    /** Transposes and swaps read in place by a generated matmul or convolution. */
    private final Set<Node> readInPlace = CpuProgram.identitySet(List.of());
    /** Convolutions written with their first two axes swapped ({@link #swappable}). */
    private final Set<Node> swapped;

    /** The source of {@code p}'s kernels in dialect {@code dl}. */
    static ProgramSource of(Dialect dl, FusedProgram p, Storage storage, Map<Node, Long> positions, boolean training) {
        var source = new ProgramSource(dl, p, storage, positions, training, true);
        // the interpreter reads values row-major: a swapped one read by a fallback is written plainly
        return source.swappedReadByFallback() ? new ProgramSource(dl, p, storage, positions, training, false) : source;
    }

    private ProgramSource(Dialect dl, FusedProgram p, Storage storage, Map<Node, Long> positions, boolean training, boolean swap) {
        this.dl = dl;
        this.p = p;
        this.storage = storage;
        this.positions = positions;
        this.training = training;
        this.outputs = CpuProgram.identitySet(p.graph().outputs());
        for (Node n : p.graph().nodes())
            for (Node u : new LinkedHashSet<>(Scan.uses(n))) users.computeIfAbsent(u, _ -> new ArrayList<>()).add(n);
        this.swapped = swap ? swappable() : Set.of();
        for (var b : storage.plan.buffers()) if (!b.workspace()) lastUse.put(b.value(), b.last());
        findTransposes();
        for (Kernel k : p.kernels()) {
            current = k.id();
            kernel(k);
        }
        skipTransposes();
    }

    /** The source, its class name written as {@code %CLASS%} (see {@link KernelCompiler}). */
    String text() { return dl.header("%CLASS%") + methods + dl.footer(kernels); }

    List<Integer> kernels() { return kernels; }

    /** Why kernel {@code id} is not generated ("k3 opaque [matmul]: ..."), or null when it is. */
    String fallback(int id) { return fallbacks.get(id); }

    Set<Integer> skipped() { return skipped; }

    Set<Node> swapped() { return swapped; }

    private void kernel(Kernel k) {
        if (k.kind() == Kernel.Kind.VIEW) return;
        var arrays = new LinkedHashSet<Storage.Loc>();
        try {
            String body = switch (k.kind()) {
                case ELEMENTWISE, REDUCE, HORIZONTAL -> pieces(k.id(), nestList(k, Map.of(), arrays, Set.of()), arrays);
                case OPAQUE -> opaque(k, arrays);
                case SCAN -> throw new KernelWriter.Unsupported("a scan");
                case VIEW -> "";
            };
            methods.append(dl.kernelOpen(k.id(), List.copyOf(arrays))).append(indent(body)).append(dl.kernelClose());
            kernels.add(k.id());
        } catch (KernelWriter.Unsupported e) {
            fallbacks.put(k.id(), CpuProgram.describe(k) + ": " + e.getMessage());
        }
    }

    /**
     * Source characters of loop nests one method holds before the kernel is split into
     * pieces: well under the JVM's 64 KiB of bytecode per method (a horizontal update of
     * GoogLeNet's ~170 parameters in one method did not compile).
     */
    private static final int PIECE_CHARS = 24_000;

    /** The kernel's body: its nests in order, or calls of pieces holding them when they are too long for one method. */
    private String pieces(int id, List<String> nests, Set<Storage.Loc> arrays) {
        if (nests.stream().mapToInt(String::length).sum() <= PIECE_CHARS) return String.join("", nests);
        // one nest cannot be split: one that long (hundreds of fused ops, as in GoogLeNet's
        // concatenations) runs through the interpreter rather than fail to compile
        for (String nest : nests)
            if (nest.length() > 2 * PIECE_CHARS) throw new KernelWriter.Unsupported("a loop nest too long for one Java method (" + nest.length() + " characters)");
        var calls = new StringBuilder();
        var piece = new StringBuilder();
        int n = 0;
        for (String nest : nests) {
            if (!piece.isEmpty() && piece.length() + nest.length() > PIECE_CHARS) {
                emitPiece(id, n, piece, arrays, calls);
                n++;
            }
            piece.append(nest);
        }
        emitPiece(id, n, piece, arrays, calls);
        return calls.toString();
    }

    private void emitPiece(int id, int n, StringBuilder piece, Set<Storage.Loc> arrays, StringBuilder calls) {
        methods.append(dl.pieceOpen(id, n, List.copyOf(arrays))).append(indent(piece.toString())).append(dl.kernelClose());
        calls.append(dl.callPiece(id, n));
        piece.setLength(0);
    }

    /** One nest per part and output shape; {@code done} are outputs already written (an opaque op's result). */
    private String nests(Kernel k, Map<Node, Storage.Loc> memory, Set<Storage.Loc> arrays, Set<Node> done) {
        return String.join("", nestList(k, memory, arrays, done));
    }

    private List<String> nestList(Kernel k, Map<Node, Storage.Loc> memory, Set<Storage.Loc> arrays, Set<Node> done) {
        for (Node op : k.ops()) if (!inNest(op, k)) throw new KernelWriter.Unsupported("a tuple or scan op");
        var writer = new KernelWriter(dl, storage, CpuProgram.identitySet(k.ops()), memory, positions, training, arrays, swapped);
        var code = new ArrayList<String>();
        for (Kernel.Part part : k.parts()) {
            var byShape = new LinkedHashMap<List<Integer>, List<Node>>();
            for (Node o : part.outputs())
                if (!done.contains(o)) byShape.computeIfAbsent(boxed(KernelWriter.shape(o)), _ -> new ArrayList<>()).add(o);
            byShape.forEach((shape, outs) -> code.add(writer.nest(outs, shape.stream().mapToInt(Integer::intValue).toArray())));
        }
        return code;
    }

    /** Whether a loop nest computes {@code op}: any op but a scan or a tuple; a split is, with its parts, the slices they are. */
    private static boolean inNest(Node op, Kernel k) {
        return switch (op) {
            case Node.Apply a -> !Scan.is(a) && (!(a.type() instanceof Type.Tuple) || isSplit(a));
            case Node.Project part -> isSplit(part.tuple()) && k.ops().contains(part.tuple());
            default -> false;
        };
    }

    private static boolean isSplit(Node n) { return n instanceof Node.Apply a && a.op().equals("split"); }

    // ------------------------------------------------------------------ opaque kernels

    private String opaque(Kernel k, Set<Storage.Loc> arrays) {
        Node.Apply op = (Node.Apply) k.ops().stream().filter(n -> n instanceof Node.Apply a && isOpaque(a)).findFirst()
                .orElseThrow(() -> new KernelWriter.Unsupported("no opaque op"));
        Prim prim = KernelWriter.prim(op);
        for (int i = 0; i < op.args().size(); i++) {
            Node x = op.args().get(i);
            DType expected = prim == Prim.SCATTER_ADD && i == 1 ? DType.I32 : DType.F32; // its index
            if (KernelWriter.dtype(x) != expected) throw new KernelWriter.Unsupported(op.op() + " on " + x.type());
        }
        var kernelOps = CpuProgram.identitySet(k.ops());
        Node result = op;
        Node bias = null;
        boolean relu = false;
        String activation = "NONE";
        if (prim == Prim.CONV2D && !storage.has(op)) {
            // conv2d + bias per channel (+ activation) in the convolution's own epilogue, while
            // each block is in cache, over whole planes rather than rows of a separate nest.
            Node add = soleUser(op, kernelOps, Prim.ADD);
            bias = add == null ? null : channelBias((Node.Apply) add, op);
            if (bias != null) {
                result = add;
                for (Prim act : List.of(Prim.RELU, Prim.SIGMOID, Prim.TANH)) {
                    Node r = storage.has(add) ? null : soleUser(add, kernelOps, act);
                    if (r != null) { result = r; activation = act.name(); break; }
                }
            }
        }
        if (prim == Prim.MATMUL && !storage.has(op) && KernelWriter.shape(op).length >= 2) {
            Node add = soleUser(op, kernelOps, Prim.ADD);
            bias = add == null ? null : columnBias((Node.Apply) add, op);
            if (bias != null) {
                result = add;
                Node r = storage.has(add) ? null : soleUser(add, kernelOps, Prim.RELU);
                if (r != null) { result = r; relu = true; }
            }
        }
        Storage.Loc dest = storage.has(result) ? storage.loc(result) : storage.fresh('f', Storage.numel(result));
        arrays.add(dest);
        String call = switch (prim) {
            case MATMUL -> matmul(op, dest, bias, relu, arrays);
            case CONV2D -> conv(op, dest, bias, activation, arrays);
            case MAX_POOL2D, AVG_POOL2D -> pool(op, dest, prim == Prim.MAX_POOL2D, arrays);
            case MAX_POOL2D_GRAD -> poolGrad(op, dest, arrays);
            case SCATTER_ADD -> scatterAdd(op, dest, arrays);
            default -> throw new KernelWriter.Unsupported(op.op() + " is not generated");
        };
        var done = CpuProgram.identitySet(List.of(result));
        return call + nests(k, Map.of(result, dest), arrays, done);
    }

    private static boolean isOpaque(Node.Apply a) {
        return switch (KernelWriter.prim(a)) {
            case MATMUL, CONV2D, MAX_POOL2D, AVG_POOL2D, MAX_POOL2D_GRAD, SCATTER_ADD -> true;
            default -> false;
        };
    }

    /** The only user of {@code n}, when it is in the kernel and is {@code prim}, with n's shape. */
    private Node soleUser(Node n, Set<Node> kernelOps, Prim prim) {
        var us = users.getOrDefault(n, List.of());
        if (us.size() != 1 || !kernelOps.contains(us.getFirst())) return null;
        Node u = us.getFirst();
        if (!(u instanceof Node.Apply a) || KernelWriter.prim(a) != prim || !Arrays.equals(KernelWriter.shape(u), KernelWriter.shape(n))) return null;
        return u;
    }

    /** The b of {@code mm + b} when b is an f32 value in memory of shape [N] or [1, N] (a bias per column). */
    private Node columnBias(Node.Apply add, Node mm) {
        if (add.args().size() != 2) return null;
        Node b = add.args().get(0) == mm ? add.args().get(1) : add.args().get(0);
        if (b == mm || b instanceof Node.Const || !storage.has(b) || KernelWriter.dtype(b) != DType.F32) return null;
        int[] bs = KernelWriter.shape(b), ms = KernelWriter.shape(mm);
        int lead = 0;
        while (lead < bs.length - 1 && bs[lead] == 1) lead++;
        return bs.length - lead == 1 && bs[bs.length - 1] == ms[ms.length - 1] && ms[ms.length - 1] > 1 ? b : null;
    }

    /**
     * The bias b of {@code conv + b} when it holds one f32 value per output channel, in memory
     * (shape [O], or [O, 1, 1] / [1, O, 1, 1] broadcast along the planes) or a reshape of such
     * a value; the value in memory is returned.
     */
    private Node channelBias(Node.Apply add, Node conv) {
        if (add.args().size() != 2) return null;
        Node b = add.args().get(0) == conv ? add.args().get(1) : add.args().get(0);
        if (b == conv || b instanceof Node.Const) return null;
        int channels = KernelWriter.shape(conv)[1];
        int[] bs = KernelWriter.shape(b);
        // right-aligned against [N, O, H, W]: O at axis 1, every other axis 1
        if (bs.length < 3 || bs.length > 4 || Tensor.numel(bs) != channels || bs[bs.length - 3] != channels) return null;
        if (!storage.has(b) && b instanceof Node.Apply r && KernelWriter.prim(r) == Prim.RESHAPE) b = r.args().getFirst();
        return storage.has(b) && KernelWriter.dtype(b) == DType.F32 && Tensor.numel(KernelWriter.shape(b)) == channels ? b : null;
    }

    /**
     * A Gemm operand: the value's array, or a transpose's source read transposed; {@code fold}:
     * whether a transpose's source may be read in place (a skinny product wants B row-major: its
     * copy is small).
     */
    private String operand(Node x, int rows, int cols, Set<Storage.Loc> arrays, boolean fold) {
        Node src = inPlaceSource(x, transposes, fold);
        boolean t = src != null;
        Node at = t ? src : x;
        var loc = storage.loc(at);
        if (loc == null || loc.table() != 'f') throw new KernelWriter.Unsupported("a matmul operand without f32 storage");
        arrays.add(loc);
        // element (i, j) of the operand: data[off + i*ld + j], or data[off + j*ld + i] when the array holds its transpose
        return "new Gemm.Operand(" + loc.array() + ", " + loc.offset() + ", " + (t ? rows : cols) + ", " + t + ")";
    }

    private String matmul(Node.Apply op, Storage.Loc dest, Node bias, boolean relu, Set<Storage.Loc> arrays) {
        Node a = op.args().get(0), b = op.args().get(1);
        int[] as = KernelWriter.shape(a), bs = KernelWriter.shape(b), os = KernelWriter.shape(op);
        if (as.length == 1) as = new int[] {1, as[0]};
        if (bs.length == 1) bs = new int[] {bs[0], 1};
        int m = as[as.length - 2], kk = as[as.length - 1], n = bs[bs.length - 1];
        int batch = Tensor.numel(os) / (m * n);
        long strideA = batchStride(as, batch, m * kk), strideB = batchStride(bs, batch, kk * n);
        if ((transposes.containsKey(a) && KernelWriter.shape(a).length < 2) || (transposes.containsKey(b) && KernelWriter.shape(b).length < 2))
            throw new KernelWriter.Unsupported("a transposed vector operand");
        String epilogue = relu ? "Epilogue.of(Epilogue.Activation.RELU)" : "Epilogue.of(Epilogue.Activation.NONE)";
        if (bias != null) {
            var bl = storage.loc(bias);
            arrays.add(bl);
            epilogue += ".withColBias(" + bl.array() + ", " + bl.offset() + ")";
        }
        // SkinnyGemm needs B row-major: a transposed B is copied first, k·n moves against m·k·n
        // fmas. Where only m is small (a batch of 16 through AlexNet's 6400 × 4096 layer: 111 ms
        // to copy, 24 to multiply), Gemm packs B in place instead (16 ms, no copy).
        boolean copyB = SkinnyGemm.fits(m, n, kk, false) && (n <= 64 || kk <= 32);
        String opA = operand(a, m, kk, arrays, true), opB = operand(b, kk, n, arrays, !copyB);
        String out = "new Gemm.Operand(" + dest.array() + ", " + dest.offset() + ", " + n + ", false)";
        if (SkinnyGemm.fits(m, n, kk, opB.endsWith("true)")))
            return "SkinnyGemm.multiplyBatched(" + batch + ", " + m + ", " + n + ", " + kk + ", " + opA + ", " + strideA + ", "
                    + opB + ", " + strideB + ", " + out + ", " + (m * n) + ", " + epilogue + ");\n";
        return "Gemm.multiplyBatched(" + batch + ", " + m + ", " + n + ", " + kk + ", " + opA + ", " + strideA + ", "
                + opB + ", " + strideB + ", " + out + ", " + (m * n) + ", false, " + epilogue + ");\n";
    }

    /** An operand's batch stride: its matrices in turn, or 0 when one matrix serves every batch item. */
    private static long batchStride(int[] shape, int batch, int matrix) {
        int own = Tensor.numel(shape) / matrix;
        if (own == batch) return matrix;
        if (own == 1) return 0;
        throw new KernelWriter.Unsupported("matmul batch axes that broadcast partially");
    }

    /**
     * The source of {@code x} when x is one of {@code copies} (a transpose or swap kernel's
     * value) and the source may be read in place ({@code allowed} by the reader, and live); x
     * is recorded as read in place or copied.
     */
    private Node inPlaceSource(Node x, Map<Node, Node> copies, boolean allowed) {
        Node src = allowed ? copies.get(x) : null;
        // The plan frees the source after the copy's kernel, its last reader: read it in place
        // only where it is still live (outside the arena, or read later anyway).
        if (src != null && storage.loc(src).table() == 'f' && storage.loc(src).slot() == 0 && lastUse.getOrDefault(src, -1) < current) src = null;
        if (src != null) readInPlace.add(x);
        else if (copies.containsKey(x)) readCopied.add(x);
        return src;
    }

    private static Conv2d.Geometry geometry(Node.Apply conv) {
        var b = new dev.dlc.ops.Bound(conv.op(), conv.attrs());
        int[] xs = KernelWriter.shape(conv.args().get(0)), ws = KernelWriter.shape(conv.args().get(1));
        long[] st = b.pair("stride"), pad = b.pair("padding"), dil = b.pair("dilation");
        return new Conv2d.Geometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], (int) st[0], (int) st[1], (int) pad[0], (int) pad[1],
                (int) dil[0], (int) dil[1], (int) b.integer("groups"));
    }

    private String conv(Node.Apply op, Storage.Loc dest, Node bias, String activation, Set<Storage.Loc> arrays) {
        var ge = geometry(op);
        // an operand that is a swap kernel's copy: its source, read with the first two axes swapped
        // (and the weights' taps reversed, for a flipped swap)
        Node xs = inPlaceSource(op.args().get(0), swaps, !flippedSwaps.contains(op.args().get(0))), ws = inPlaceSource(op.args().get(1), swaps, true);
        boolean flipped = ws != null && flippedSwaps.contains(op.args().get(1));
        var x = loc(xs != null ? xs : op.args().get(0), arrays);
        var w = loc(ws != null ? ws : op.args().get(1), arrays);
        String layout = xs == null && ws == null ? "" : ", " + (xs != null) + ", " + (ws != null) + (flipped ? ", true" : "");
        String g = "new Conv2d.Geometry(" + ge.n() + ", " + ge.c() + ", " + ge.h() + ", " + ge.w() + ", " + ge.o() + ", " + ge.kh() + ", " + ge.kw() + ", "
                + ge.strideH() + ", " + ge.strideW() + ", " + ge.padH() + ", " + ge.padW() + ", " + ge.dilationH() + ", " + ge.dilationW() + ", " + ge.groups() + ")";
        if (swapped.contains(op))
            return "Conv2d.forwardSwapped(" + x.array() + ", " + x.offset() + ", " + w.array() + ", " + w.offset() + ", "
                    + dest.array() + ", " + dest.offset() + ", " + g + layout + ");\n";
        String biasArgs = "null, 0";
        if (bias != null) {
            var bl = loc(bias, arrays);
            biasArgs = bl.array() + ", " + bl.offset();
        }
        return "Conv2d.forward(" + x.array() + ", " + x.offset() + ", " + w.array() + ", " + w.offset() + ", " + biasArgs + ", "
                + dest.array() + ", " + dest.offset() + ", " + g + ", Epilogue.Activation." + activation + layout + ");\n";
    }

    private String pool(Node.Apply op, Storage.Loc dest, boolean max, Set<Storage.Loc> arrays) {
        var x = loc(op.args().get(0), arrays);
        return "Pool2d." + (max ? "max" : "avg") + "(" + x.array() + ", " + x.offset() + ", " + dest.array() + ", " + dest.offset() + ", " + window(op) + ");\n";
    }

    private String poolGrad(Node.Apply op, Storage.Loc dest, Set<Storage.Loc> arrays) {
        var x = loc(op.args().get(0), arrays);
        var g = loc(op.args().get(1), arrays);
        return "Pool2d.maxGrad(" + x.array() + ", " + x.offset() + ", " + g.array() + ", " + g.offset() + ", " + dest.array() + ", "
                + dest.offset() + ", " + window(op) + ");\n";
    }

    private String scatterAdd(Node.Apply op, Storage.Loc dest, Set<Storage.Loc> arrays) {
        var x = loc(op.args().get(0), arrays);
        var index = storage.loc(op.args().get(1));
        if (index == null || index.table() != 'i') throw new KernelWriter.Unsupported("an index without i32 storage");
        arrays.add(index);
        var src = loc(op.args().get(2), arrays);
        int[] xs = KernelWriter.shape(op.args().get(0)), is = KernelWriter.shape(op.args().get(1));
        long axis = new dev.dlc.ops.Bound(op.op(), op.attrs()).integer("axis");
        return "Scatter.add(" + x.array() + ", " + x.offset() + ", " + index.array() + ", " + index.offset() + ", " + src.array() + ", "
                + src.offset() + ", " + dest.array() + ", " + dest.offset() + ", " + ints(xs) + ", " + ints(is) + ", " + (axis < 0 ? axis + xs.length : axis) + ");\n";
    }

    private static String ints(int[] a) {
        return "new int[] {" + String.join(", ", Arrays.stream(a).mapToObj(String::valueOf).toList()) + "}";
    }

    /** The pool's window over its first argument, as Java source. */
    private static String window(Node.Apply op) {
        var b = new dev.dlc.ops.Bound(op.op(), op.attrs());
        int[] xs = KernelWriter.shape(op.args().get(0));
        long[] k = b.pair("kernel"), st = b.pair("stride"), pad = b.pair("padding");
        return "new Pool2d.Window(" + xs[0] + ", " + xs[1] + ", " + xs[2] + ", " + xs[3] + ", " + k[0] + ", " + k[1] + ", "
                + st[0] + ", " + st[1] + ", " + pad[0] + ", " + pad[1] + ")";
    }

    private Storage.Loc loc(Node n, Set<Storage.Loc> arrays) {
        var l = storage.loc(n);
        if (l == null || l.table() != 'f') throw new KernelWriter.Unsupported("an operand without f32 storage");
        arrays.add(l);
        return l;
    }

    // ------------------------------------------------------------------ weight gradients written swapped

    /**
     * Convolutions that are a kernel of their own, not a program output, of a shape
     * {@link Conv2d#forwardSwapped} takes, and read only by permutes swapping their first two
     * axes in generated nests: a weight gradient. Written swapped, such a permute reads its
     * value in order (see {@link KernelWriter}'s load) and the update beside it vectorizes.
     */
    private Set<Node> swappable() {
        var kernelOf = new IdentityHashMap<Node, Kernel>();
        for (Kernel k : p.kernels()) for (Node op : k.ops()) kernelOf.put(op, k);
        var found = CpuProgram.identitySet(List.<Node>of());
        for (Kernel k : p.kernels()) {
            if (k.kind() != Kernel.Kind.OPAQUE || k.ops().size() != 1 || !(k.ops().getFirst() instanceof Node.Apply conv)
                    || KernelWriter.prim(conv) != Prim.CONV2D || !storage.has(conv) || outputs.contains(conv)
                    || KernelWriter.dtype(conv) != DType.F32 || !Conv2d.swappable(geometry(conv))) continue;
            var us = users.getOrDefault(conv, List.of());
            boolean all = !us.isEmpty();
            for (Node u : us) {
                Kernel uk = kernelOf.get(u);
                all &= u instanceof Node.Apply a && swapsFirstTwo(a) && uk != null
                        && (uk.kind() == Kernel.Kind.ELEMENTWISE || uk.kind() == Kernel.Kind.REDUCE || uk.kind() == Kernel.Kind.HORIZONTAL);
            }
            if (all) found.add(conv);
        }
        return found;
    }

    private static boolean swapsFirstTwo(Node.Apply a) {
        Prim prim = KernelWriter.prim(a);
        if (prim != Prim.TRANSPOSE && prim != Prim.PERMUTE) return false;
        int[] perm = KernelWriter.perm(a, prim, new dev.dlc.ops.Bound(a.op(), a.attrs()));
        for (int k = 2; k < perm.length; k++) if (perm[k] != k) return false;
        return perm.length >= 2 && perm[0] == 1 && perm[1] == 0;
    }

    /** Whether the interpreter writes or reads a swapped value: it knows row-major only. */
    private boolean swappedReadByFallback() {
        for (Kernel k : p.kernels()) {
            if (!fallbacks.containsKey(k.id())) continue;
            for (Node n : k.inputs()) if (swapped.contains(n)) return true;
            for (Node n : k.ops()) if (swapped.contains(n)) return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ transposes read in place

    /** Kernels that only transpose the last two axes of an f32 value in memory: a matmul can read the source instead. */
    private void findTransposes() {
        for (Kernel k : p.kernels()) {
            Node.Apply f = flippedSwap(k);
            if (f != null && storage.has(f.args().getFirst()) && KernelWriter.dtype(f) == DType.F32) {
                Node t = k.outputs().getFirst();
                swaps.put(t, f.args().getFirst());
                flippedSwaps.add(t);
                transposeKernel.put(t, k.id());
                continue;
            }
            if (k.kind() != Kernel.Kind.ELEMENTWISE || k.ops().size() != 1 || !(k.ops().getFirst() instanceof Node.Apply t)) continue;
            Prim prim = KernelWriter.prim(t);
            if (prim != Prim.TRANSPOSE && prim != Prim.PERMUTE) continue;
            Node src = t.args().getFirst();
            int rank = KernelWriter.shape(t).length;
            if (rank < 2 || !storage.has(src) || KernelWriter.dtype(src) != DType.F32) continue;
            if (swapsLastTwo(t, prim, rank)) transposes.put(t, src);
            else if (rank == 4 && swapsFirstTwo(t) && !swapped.contains(src)) swaps.put(t, src);
            else continue;
            transposeKernel.put(t, k.id());
        }
    }

    /**
     * The flip of a kernel that is {@code permute(flip(w, axes), [1, 0, 2, 3])} of a 4-D w and
     * writes that only, the axes every kernel axis (2 and 3) longer than 1 and no other: an
     * input gradient's weights, which {@link Conv2d} reads in place. Else null.
     */
    static Node.Apply flippedSwap(Kernel k) {
        if (k.kind() != Kernel.Kind.ELEMENTWISE || k.ops().size() != 2 || k.outputs().size() != 1
                || !(k.ops().get(0) instanceof Node.Apply f) || !(k.ops().get(1) instanceof Node.Apply t)) return null;
        if (KernelWriter.prim(f) != Prim.FLIP || t.args().getFirst() != f || k.outputs().getFirst() != t || KernelWriter.shape(t).length != 4 || !swapsFirstTwo(t))
            return null;
        int[] ws = KernelWriter.shape(f);
        var axes = new HashSet<Integer>();
        for (long a : new dev.dlc.ops.Bound(f.op(), f.attrs()).ints("axes")) axes.add(KernelWriter.axis(a, 4));
        for (int a = 0; a < 4; a++) {
            boolean kernelAxis = a >= 2, must = kernelAxis && ws[a] > 1;
            if (must && !axes.contains(a) || !kernelAxis && axes.contains(a)) return null;
        }
        return f;
    }

    private static boolean swapsLastTwo(Node.Apply t, Prim prim, int rank) {
        var b = new dev.dlc.ops.Bound(t.op(), t.attrs());
        if (prim == Prim.TRANSPOSE) {
            long x = b.integer("a"), y = b.integer("b");
            x = x < 0 ? x + rank : x;
            y = y < 0 ? y + rank : y;
            return Math.min(x, y) == rank - 2 && Math.max(x, y) == rank - 1;
        }
        var axes = b.ints("axes");
        for (int k = 0; k < rank - 2; k++) if (axes.get(k) != k) return false;
        return axes.get(rank - 2) == rank - 1 && axes.get(rank - 1) == rank - 2;
    }

    /**
     * A transpose or swap kernel whose copy nobody reads (every user a generated matmul or
     * convolution reading it in place, not an output) is not run.
     */
    private void skipTransposes() {
        for (var e : transposeKernel.entrySet()) {
            Node t = e.getKey();
            if (outputs.contains(t) || !readInPlace.contains(t) || readCopied.contains(t) || transposes.containsValue(t) || swaps.containsValue(t)) continue;
            Prim reader = transposes.containsKey(t) ? Prim.MATMUL : Prim.CONV2D;
            boolean all = true;
            for (Node u : users.getOrDefault(t, List.of()))
                all &= u instanceof Node.Apply a && KernelWriter.prim(a) == reader && generatedOpaque(u);
            if (all) skipped.add(e.getValue());
        }
    }

    private boolean generatedOpaque(Node op) {
        for (Kernel k : p.kernels()) if (kernels.contains(k.id()) && k.kind() == Kernel.Kind.OPAQUE && k.ops().contains(op)) return true;
        return false;
    }

    /**
     * The program with every matmul kernel that reads a transpose kernel's output also listing
     * the transpose's source among its inputs: the memory plan then keeps the source alive until
     * that matmul, which may read it in place (see {@link #operand}).
     */
    static FusedProgram keepTransposeSources(FusedProgram p) {
        var sources = new IdentityHashMap<Node, Node>();
        for (Kernel k : p.kernels()) {
            if (k.kind() == Kernel.Kind.ELEMENTWISE && k.ops().size() == 1 && k.ops().getFirst() instanceof Node.Apply t
                    && (KernelWriter.prim(t) == Prim.TRANSPOSE || KernelWriter.prim(t) == Prim.PERMUTE) && !(t.args().getFirst() instanceof Node.Const))
                sources.put(t, t.args().getFirst());
            Node.Apply f = flippedSwap(k);
            if (f != null && !(f.args().getFirst() instanceof Node.Const)) sources.put(k.outputs().getFirst(), f.args().getFirst());
        }
        var kernels = new ArrayList<Kernel>();
        for (Kernel k : p.kernels()) {
            var inputs = new ArrayList<>(k.inputs());
            if (k.kind() == Kernel.Kind.OPAQUE)
                for (Node in : k.inputs()) {
                    Node src = sources.get(in);
                    if (src != null && !inputs.contains(src)) inputs.add(src);
                }
            kernels.add(inputs.size() == k.inputs().size() ? k : new Kernel(k.id(), k.kind(), k.parts(), inputs, k.outputs(), k.body(), k.from()));
        }
        return new FusedProgram(p.graph(), kernels, p.unfused());
    }

    private static List<Integer> boxed(int[] s) { return Arrays.stream(s).boxed().toList(); }

    private static String indent(String code) {
        var sb = new StringBuilder();
        int depth = 2;
        for (String line : code.split("\n")) {
            if (line.isBlank()) continue;
            String l = line.strip();
            if (l.startsWith("}")) depth--;
            sb.append("    ".repeat(Math.max(depth, 0))).append(l).append('\n');
            if (l.endsWith("{")) depth++;
        }
        return sb.toString();
    }
}
