package dev.dlc.ops;

import static dev.dlc.ops.ArgKind.*;
import static dev.dlc.ops.ArgSpec.absent;
import static dev.dlc.ops.ArgSpec.opt;
import static dev.dlc.ops.ArgSpec.ref;
import static dev.dlc.ops.ArgSpec.req;
import static dev.dlc.ops.Fusion.ELEMWISE;
import static dev.dlc.ops.Fusion.INJECTIVE;
import static dev.dlc.ops.Fusion.OPAQUE;
import static dev.dlc.ops.Prim.*;
import static dev.dlc.ops.kernels.ElementwiseKernels.fill;
import static dev.dlc.ops.kernels.ElementwiseKernels.map;
import static dev.dlc.ops.kernels.ElementwiseKernels.truth;
import static dev.dlc.ops.kernels.ElementwiseKernels.zip;

import dev.dlc.ops.kernels.ElementwiseKernels;
import dev.dlc.ops.kernels.LinalgKernels;
import dev.dlc.ops.kernels.MovementKernels;
import dev.dlc.ops.kernels.ReduceKernels;
import dev.dlc.types.DType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every primitive, declared once (STYLE.md §2): DL name and operator, signature, fusion kind,
 * shape rule, FLOP rule, derivative (its VJP rule, written in {@link Vjps} beside the other rules
 * and null where a primitive has none yet) and reference (cpu) kernel; a null gpu kernel means
 * "run the cpu one". A name may have several rows (overloads) and the casts are aliases of CAST.
 */
public final class OpTable {
    private OpTable() {}

    private static final Sig X = Sig.of(req("x", TENSOR));
    private static final Sig AB = Sig.of(req("a", TENSOR), req("b", TENSOR));
    private static final Sig REDUCTION = Sig.of(req("x", TENSOR), absent("axis", AXES), opt("keepdims", BOOL, false));
    private static final Sig ARG = Sig.of(req("x", TENSOR), opt("axis", INT, -1L), opt("keepdims", BOOL, false));
    private static final Sig ALONG_AXIS = Sig.of(req("x", TENSOR), opt("axis", INT, -1L));
    private static final Sig POOL = Sig.of(req("x", TENSOR), req("kernel", INT_OR_PAIR),
            opt("stride", INT_OR_PAIR, ref("kernel")), opt("padding", INT_OR_PAIR, 0L));
    /** max_pool2d's gradient: x, the gradient of the pool's output, the pool's attributes. */
    private static final Sig POOL_GRAD = Sig.of(req("x", TENSOR), req("g", TENSOR), req("kernel", INT_OR_PAIR),
            opt("stride", INT_OR_PAIR, ref("kernel")), opt("padding", INT_OR_PAIR, 0L));
    private static final Sig TENSORS = Sig.of(req("xs", TENSOR_LIST), opt("axis", INT, 0L));
    private static final ArgSpec DTYPE = opt("dtype", STRING, "f32");

    private static final List<OpDef> ROWS = List.of(
        fn(EXP, "exp", X, ELEMWISE, ElementwiseRules::floatUnary, Flops::perOutput, map(Math::exp)),
        fn(LOG, "log", X, ELEMWISE, ElementwiseRules::floatUnary, Flops::perOutput, map(Math::log)),
        fn(SQRT, "sqrt", X, ELEMWISE, ElementwiseRules::floatUnary, Flops::perOutput, map(Math::sqrt)),
        fn(RSQRT, "rsqrt", X, ELEMWISE, ElementwiseRules::floatUnary, Flops::perOutput, map(x -> 1 / Math.sqrt(x))),
        fn(TANH, "tanh", X, ELEMWISE, ElementwiseRules::floatUnary, Flops::perOutput, map(Math::tanh)),
        fn(SIGMOID, "sigmoid", X, ELEMWISE, ElementwiseRules::floatUnary, Flops::perOutput, map(ElementwiseKernels::sigmoid)),
        fn(RELU, "relu", X, ELEMWISE, ElementwiseRules::floatUnary, Flops::perOutput, map(ElementwiseKernels::relu)),
        fn(SIN, "sin", X, ELEMWISE, ElementwiseRules::floatUnary, Flops::perOutput, map(Math::sin)),
        fn(COS, "cos", X, ELEMWISE, ElementwiseRules::floatUnary, Flops::perOutput, map(Math::cos)),
        fn(ABS, "abs", X, ELEMWISE, ElementwiseRules::numericUnary, Flops::perOutput, map(Math::abs)),
        fn(SIGN, "sign", X, ELEMWISE, ElementwiseRules::numericUnary, Flops::perOutput, map(Math::signum)),
        op(NEG, "neg", "-", X, ELEMWISE, ElementwiseRules::numericUnary, Flops::perOutput, map(x -> -x)),
        op(NOT, "not", "not", X, ELEMWISE, ElementwiseRules::not, Flops::perOutput, map(x -> truth(x == 0))),

        op(ADD, "add", "+", AB, Fusion.BROADCAST, ElementwiseRules::arithmetic, Flops::perOutput, zip((a, b) -> a + b)),
        op(SUB, "sub", "-", AB, Fusion.BROADCAST, ElementwiseRules::arithmetic, Flops::perOutput, zip((a, b) -> a - b)),
        op(MUL, "mul", "*", AB, Fusion.BROADCAST, ElementwiseRules::arithmetic, Flops::perOutput, zip((a, b) -> a * b)),
        op(DIV, "div", "/", AB, Fusion.BROADCAST, ElementwiseRules::arithmetic, Flops::perOutput, ElementwiseKernels.DIV),
        fnOp(POW, "pow", "**", AB, Fusion.BROADCAST, ElementwiseRules::arithmetic, Flops::perOutput, ElementwiseKernels.POW),
        fn(MAXIMUM, "max", AB, Fusion.BROADCAST, ElementwiseRules::arithmetic, Flops::perOutput, zip(Math::max)),
        fn(MINIMUM, "min", AB, Fusion.BROADCAST, ElementwiseRules::arithmetic, Flops::perOutput, zip(Math::min)),
        op(LT, "lt", "<", AB, Fusion.BROADCAST, ElementwiseRules::order, Flops::perOutput, zip((a, b) -> truth(a < b))),
        op(LE, "le", "<=", AB, Fusion.BROADCAST, ElementwiseRules::order, Flops::perOutput, zip((a, b) -> truth(a <= b))),
        op(GT, "gt", ">", AB, Fusion.BROADCAST, ElementwiseRules::order, Flops::perOutput, zip((a, b) -> truth(a > b))),
        op(GE, "ge", ">=", AB, Fusion.BROADCAST, ElementwiseRules::order, Flops::perOutput, zip((a, b) -> truth(a >= b))),
        op(EQ, "eq", "==", AB, Fusion.BROADCAST, ElementwiseRules::equality, Flops::perOutput, zip((a, b) -> truth(a == b))),
        op(NE, "ne", "!=", AB, Fusion.BROADCAST, ElementwiseRules::equality, Flops::perOutput, zip((a, b) -> truth(a != b))),
        op(AND, "and", "and", AB, Fusion.BROADCAST, ElementwiseRules::logical, Flops::perOutput,
           zip((a, b) -> truth(a != 0 && b != 0))),
        op(OR, "or", "or", AB, Fusion.BROADCAST, ElementwiseRules::logical, Flops::perOutput,
           zip((a, b) -> truth(a != 0 || b != 0))),
        fn(WHERE, "where", Sig.of(req("cond", TENSOR), req("a", TENSOR), req("b", TENSOR)),
           Fusion.BROADCAST, ElementwiseRules::where, Flops::perOutput, ElementwiseKernels.WHERE),

        fn(SUM, "sum", REDUCTION, Fusion.REDUCE, ReduceRules::numeric, Flops.perInput(1), ReduceKernels.SUM),
        fn(MEAN, "mean", REDUCTION, Fusion.REDUCE, ReduceRules::floating, Flops.perInput(1), ReduceKernels.MEAN),
        fn(MAX, "max", REDUCTION, Fusion.REDUCE, ReduceRules::numeric, Flops.perInput(1), ReduceKernels.MAX),
        fn(MIN, "min", REDUCTION, Fusion.REDUCE, ReduceRules::numeric, Flops.perInput(1), ReduceKernels.MIN),
        fn(LOGSUMEXP, "logsumexp", REDUCTION, Fusion.REDUCE, ReduceRules::floating, Flops.perInput(1),
           ReduceKernels.LOGSUMEXP),
        fn(ARGMAX, "argmax", ARG, Fusion.REDUCE, ReduceRules::arg, Flops.perInput(1), ReduceKernels.ARGMAX),
        fn(ARGMIN, "argmin", ARG, Fusion.REDUCE, ReduceRules::arg, Flops.perInput(1), ReduceKernels.ARGMIN),
        fn(SOFTMAX, "softmax", ALONG_AXIS, Fusion.REDUCE, ReduceRules::softmax, Flops.perInput(5), ReduceKernels.SOFTMAX),
        fn(LOG_SOFTMAX, "log_softmax", ALONG_AXIS, Fusion.REDUCE, ReduceRules::softmax, Flops.perInput(5),
           ReduceKernels.LOG_SOFTMAX),

        fnOp(MATMUL, "matmul", "@", AB, OPAQUE, LinalgRules::matmul, Flops::matmul, LinalgKernels.MATMUL),
        fn(CONV2D, "conv2d", Sig.of(req("x", TENSOR), req("w", TENSOR), opt("stride", INT_OR_PAIR, 1L),
                opt("padding", INT_OR_PAIR, 0L), opt("dilation", INT_OR_PAIR, 1L), opt("groups", INT, 1L)),
           OPAQUE, LinalgRules::conv2d, Flops::conv2d, LinalgKernels.CONV2D),
        fn(MAX_POOL2D, "max_pool2d", POOL, OPAQUE, LinalgRules::pool2d, Flops::pool2d, LinalgKernels.MAX_POOL2D),
        fn(AVG_POOL2D, "avg_pool2d", POOL, OPAQUE, LinalgRules::pool2d, Flops::pool2d, LinalgKernels.AVG_POOL2D),
        // Not a DL function: max_pool2d's VJP (a library kernel where the gradient as IR was pads
        // and compares that could not vectorize).
        row(MAX_POOL2D_GRAD, "max_pool2d_grad", null, false, POOL_GRAD, OPAQUE, LinalgRules::maxPool2dGrad, Flops::maxPool2dGrad,
                LinalgKernels.MAX_POOL2D_GRAD),

        // Views: the same row-major data under another shape, so a backend need not copy it.
        fn(RESHAPE, "reshape", Sig.of(req("x", TENSOR), req("shape", DIMS)), INJECTIVE, MovementRules::reshape, Flops::zero,
           MovementKernels.RESHAPE).asView(),
        fn(FLATTEN, "flatten", Sig.of(req("x", TENSOR), opt("start", INT, 1L)), INJECTIVE, MovementRules::flatten, Flops::zero,
           MovementKernels.RESHAPE).asView(),
        fn(TRANSPOSE, "transpose", Sig.of(req("x", TENSOR), opt("a", INT, -2L), opt("b", INT, -1L)),
           INJECTIVE, MovementRules::transpose, Flops::zero, MovementKernels.TRANSPOSE),
        fn(PERMUTE, "permute", Sig.of(req("x", TENSOR), req("axes", INTS)), INJECTIVE, MovementRules::permute, Flops::zero,
           MovementKernels.PERMUTE),
        fn(FLIP, "flip", Sig.of(req("x", TENSOR), req("axes", INTS)), INJECTIVE, MovementRules::flip, Flops::zero, MovementKernels.FLIP),
        fn(BROADCAST, "broadcast", Sig.of(req("x", TENSOR), req("shape", DIMS)), Fusion.BROADCAST, MovementRules::broadcast, Flops::zero,
           MovementKernels.BROADCAST),
        fn(CONCAT, "concat", TENSORS, INJECTIVE, MovementRules::concat, Flops::zero, MovementKernels.CONCAT),
        fn(STACK, "stack", TENSORS, INJECTIVE, MovementRules::stack, Flops::zero, MovementKernels.STACK),
        fn(SPLIT, "split", Sig.of(req("x", TENSOR), req("sizes", INT_OR_INTS), opt("axis", INT, 0L)),
           INJECTIVE, MovementRules::split, Flops::zero, MovementKernels.SPLIT),
        fn(SLICE, "slice", Sig.of(req("x", TENSOR), req("axis", INT), req("start", DIM), absent("end", DIM), opt("step", INT, 1L)),
           INJECTIVE, MovementRules::slice, Flops::zero, MovementKernels.SLICE),
        fn(PAD, "pad", Sig.of(req("x", TENSOR), req("pads", INTS), opt("value", FLOAT, 0.0)), INJECTIVE, MovementRules::pad, Flops::zero,
           MovementKernels.PAD),
        fn(GATHER, "gather", Sig.of(req("x", TENSOR), req("index", TENSOR), req("axis", INT)),
           INJECTIVE, MovementRules::gather, Flops::zero, MovementKernels.GATHER),
        fn(SCATTER_ADD, "scatter_add", Sig.of(req("x", TENSOR), req("index", TENSOR), req("src", TENSOR), req("axis", INT)),
           OPAQUE, MovementRules::scatterAdd, Flops::scatterAdd, MovementKernels.SCATTER_ADD),
        fn(ONE_HOT, "one_hot", Sig.of(req("y", TENSOR), req("K", DIM)), INJECTIVE, MovementRules::oneHot, Flops::zero,
           MovementKernels.ONE_HOT),
        fn(EMBEDDING, "embedding", Sig.of(req("table", TENSOR), req("ids", TENSOR)), INJECTIVE, MovementRules::embedding, Flops::zero,
           MovementKernels.EMBEDDING),
        fn(MASKED_FILL, "masked_fill", Sig.of(req("x", TENSOR), req("mask", TENSOR), req("value", FLOAT)),
           Fusion.BROADCAST, ElementwiseRules::maskedFill, Flops::perOutput, ElementwiseKernels.MASKED_FILL),

        fn(DROPOUT, "dropout", Sig.of(req("x", TENSOR), req("p", FLOAT), absent("site", INT)), ELEMWISE, ElementwiseRules::dropout, Flops::perOutput,
           ElementwiseKernels.DROPOUT),
        // Called through the dtype names, see CASTS; "cast" itself is not a DL name.
        row(CAST, "cast", null, false, Sig.of(req("x", TENSOR), req("dtype", STRING)), ELEMWISE, ElementwiseRules::cast, Flops::zero,
           ElementwiseKernels.CAST),
        fn(STOP_GRADIENT, "stop_gradient", X, ELEMWISE, ElementwiseRules::identity, Flops::zero, ElementwiseKernels.IDENTITY),

        fn(ZEROS, "zeros", Sig.of(req("shape", DIMS), DTYPE), ELEMWISE, ElementwiseRules::filled, Flops::zero, fill(0)),
        fn(ONES, "ones", Sig.of(req("shape", DIMS), DTYPE), ELEMWISE, ElementwiseRules::filled, Flops::zero, fill(1)),
        fn(FULL, "full", Sig.of(req("shape", DIMS), req("value", FLOAT), DTYPE), ELEMWISE, ElementwiseRules::filled, Flops::zero,
           ElementwiseKernels.FULL),
        fn(ARANGE, "arange", Sig.of(req("n", DIM)), INJECTIVE, ElementwiseRules::arange, Flops::zero,
           ElementwiseKernels.ARANGE)
    );

    private static final Map<Prim, OpDef> TABLE = new EnumMap<>(Prim.class);
    private static final Map<String, List<OpDef>> BY_NAME = new LinkedHashMap<>();
    private static final Map<String, OpDef> UNARY = new LinkedHashMap<>(), BINARY = new LinkedHashMap<>();

    static {
        for (OpDef d : ROWS) {
            if (TABLE.put(d.prim(), d) != null) throw new IllegalStateException("two rows for " + d.prim());
            if (d.function()) BY_NAME.computeIfAbsent(d.name(), _ -> new ArrayList<>()).add(d);
            if (d.operator() != null) (d.sig() == X ? UNARY : BINARY).put(d.operator(), d);
        }
        // Overloads: reductions first, so max(x), max(x, axis = 1) and max(x, 0) (like torch.max(x, 0))
        // are reductions; max(a, b) of two tensors binds the elementwise row.
        BY_NAME.values().forEach(l -> l.sort(Comparator.comparing(d -> d.fusion() != Fusion.REDUCE)));
        // f32(x) ... bind CAST with their dtype fixed.
        for (DType t : DType.values())
            BY_NAME.put(t.spelling(), List.of(TABLE.get(CAST).alias(t.spelling(), X, Map.of("dtype", t.spelling()))));
        BY_NAME.replaceAll((_, l) -> List.copyOf(l));
    }

    /** The row of a primitive. */
    public static OpDef def(Prim p) { return TABLE.get(p); }

    /** All rows by primitive. */
    public static Map<Prim, OpDef> table() { return Collections.unmodifiableMap(TABLE); }

    /** The rows a DL function name may mean, in the order to try them; empty when none. */
    public static List<OpDef> lookup(String name) { return BY_NAME.getOrDefault(name, List.of()); }

    /** The DL names of the primitives (the prelude's share). */
    public static Set<String> names() { return Collections.unmodifiableSet(BY_NAME.keySet()); }

    /**
     * The row of an IR node's op: {@code Node.Apply.op} is the name the call used (an operator's
     * name like {@code add}, a cast's dtype like {@code f32}). {@code max} and {@code min} name two
     * rows, told apart by the number of tensor arguments: one for the reduction, two elementwise.
     */
    public static Optional<OpDef> forNode(String op, int tensorArgs) {
        if (DType.parse(op).isPresent()) return Optional.of(TABLE.get(CAST));
        var rows = TABLE.values().stream().filter(d -> d.name().equals(op)).toList();
        if (rows.size() <= 1) return rows.stream().findFirst();
        return rows.stream().filter(d -> d.sig().args().stream().filter(a -> a.kind() == TENSOR).count() == tensorArgs).findFirst();
    }

    /** The op of a unary operator: {@code -} or {@code not}. */
    public static Optional<OpDef> unary(String operator) { return Optional.ofNullable(UNARY.get(operator)); }

    /** The op of a binary operator: {@code + - * / ** @ < <= > >= == != and or}. */
    public static Optional<OpDef> binary(String operator) { return Optional.ofNullable(BINARY.get(operator)); }

    /** A call bound to the row that accepted it. */
    public record Resolved(OpDef op, Bound args) {}

    /**
     * Binds a call of a DL name to the first of its rows whose signature accepts the arguments.
     * Fails with that row's error when the name has one row, else with the forms it has.
     */
    public static Resolved resolve(String name, List<?> positional, Map<String, ?> named) throws ShapeError {
        List<OpDef> rows = lookup(name);
        if (rows.isEmpty()) throw new ShapeError(name + ": not a primitive");
        ShapeError first = null;
        for (OpDef d : rows) {
            try {
                return new Resolved(d, d.bind(positional, named));
            } catch (ShapeError e) {
                if (first == null) first = e;
            }
        }
        if (rows.size() == 1) throw first;
        throw new ShapeError(name + ": the arguments fit none of " + rows.stream()
                .map(d -> name + d.sig()).collect(Collectors.joining(" or ")));
    }

    private static OpDef fn(Prim p, String name, Sig sig, Fusion f, ShapeRule shape, FlopRule flops, Kernel cpu) {
        return row(p, name, null, true, sig, f, shape, flops, cpu);
    }

    private static OpDef op(Prim p, String name, String operator, Sig sig, Fusion f, ShapeRule shape, FlopRule flops, Kernel cpu) {
        return row(p, name, operator, false, sig, f, shape, flops, cpu);
    }

    private static OpDef fnOp(Prim p, String name, String operator, Sig sig, Fusion f, ShapeRule shape, FlopRule flops, Kernel cpu) {
        return row(p, name, operator, true, sig, f, shape, flops, cpu);
    }

    private static OpDef row(Prim p, String name, String operator, boolean function, Sig sig, Fusion f,
                             ShapeRule shape, FlopRule flops, Kernel cpu) {
        return new OpDef(p, name, operator, function, sig, Map.of(), f, false, shape, flops,
                Vjps.RULES.get(p), cpu, null); // vjp: null until the primitive has a rule; gpu null runs cpu
    }
}
