package dev.dlc.exec.cpu;

import java.util.List;

/**
 * The printer seam between what a kernel computes and how its source is spelled. The
 * {@link KernelWriter} decides loops, indices, hoisting and every scalar expression (plain Java,
 * which every dialect shares); a dialect decides the class around the kernels, how an outer loop
 * runs in parallel, and whether and how the innermost loop is vectorized.
 *
 * <p>{@link JavaVectorDialect} is the CPU backend's: {@link Loops#run} over the thread pool and
 * a {@code FloatVector} body for the innermost loop. A TornadoVM dialect would print the class
 * over TornadoVM's arrays, the outer loop as {@code for (@Parallel int i0 = 0; ...)} in a task
 * method, and answer {@link #lanes()} 0: the scalar body is valid Java there as it is.
 */
interface Dialect {
    /** The source up to the first kernel method: package, imports, class header, constants. */
    String header(String className);

    /** The dispatch method over the kernels generated, and the class's end. */
    String footer(List<Integer> kernels);

    /** The start of kernel method {@code id}, binding every array the kernel uses (names as {@link Storage.Loc#array()}). */
    String kernelOpen(int id, List<Storage.Loc> arrays);

    /**
     * Opens piece {@code piece} of kernel {@code id}: a kernel whose code is too long for one
     * method of the target (the JVM's 64 KiB) is split by loop nests into pieces, which the
     * kernel's own method then calls in order ({@link #callPiece}).
     */
    String pieceOpen(int id, int piece, List<Storage.Loc> arrays);

    /** The statement calling piece {@code piece} of kernel {@code id} from the kernel's method. */
    String callPiece(int id, int piece);

    String kernelClose();

    /**
     * An outer loop run in parallel: {@code body} is the code for the index range [lo, hi) of
     * [0, n), {@code work} the elements the whole loop computes.
     */
    String parallel(String n, long work, String body);

    /**
     * The f32 lanes of the innermost loop's vectors, 0 for none; with lanes the methods below are
     * used.
     */
    int lanes();

    /** The vector loop's bound for a trip from {@code from} to {@code to}, and its step. */
    String vectorBound(String from, String to);

    String vectorStep();

    /** A vector load of {@code array[index .. index + lanes)}. */
    /** A vector from {@code array[index...]}; only the lanes of {@code mask} when it is not null. */
    String vload(String array, String index, String mask);

    /**
     * A vector whose lane i holds {@code array[index + i / k]} (k divides the vector length);
     * when {@code count} is not null, only its first {@code count} lanes are read.
     */
    String vloadRepeat(String array, String index, int k, String count);

    /** exp, sigmoid or tanh of a float vector, to within 2 ulp (the same formula on every lane and every run). */
    String vmath(String function, String a);

    /**
     * The position of a line's max or min ({@code function} "lineArgmax", "lineArgmin") over
     * {@code n} contiguous floats of {@code array} from {@code start}, as an expression in
     * vectors (see {@link VectorMath#lineArgmax}); null where the dialect has none, and the line
     * is read in scalars.
     */
    default String vline(String function, String array, String start, int n) { return null; }

    /**
     * The statement writing softmax (log_softmax when {@code log}) of the {@code n} floats of
     * {@code src} from {@code start} into {@code dst} from 0, as {@link VectorMath#softmaxLine}
     * ({@link VectorMath#logSoftmaxLine}); required where {@link #lineScratch} is not null.
     */
    default String softmaxLine(String src, String start, int n, String dst, boolean log) { throw new UnsupportedOperationException(); }

    /**
     * The declaration of a float array {@code name} of at least {@code n} elements, private to
     * the task that runs a parallel loop's range: a softmax line is written there
     * ({@link #softmaxLine}). Null where the dialect has none, and softmax lines are computed in
     * scalars.
     */
    default String lineScratch(String name, int n) { return null; }

    /**
     * The f32 vector of a one-hot row's lanes from index {@code base}: lane i is 1 where
     * {@code base + i} equals the (integer-valued) {@code label}, else 0; null where the dialect has
     * none, and the row is written in scalars.
     */
    default String voneHot(String label, String base) { return null; }

    /** The mask of the lanes {@code [from, to)} of a vector starting at {@code from}. */
    String vtailMask(String from, String to);

    /** Lanes per vector, as the generator's host sees it. */
    int vectorLength();

    /** A vector store; only the lanes of {@code mask} when it is not null. */
    String vstore(String value, String array, String index, String mask);

    /** A scalar (a double holding an f32 value) in every lane. */
    String vsplat(String scalar);

    /** A scalar bool (0 or 1) as a mask. */
    String vsplatMask(String scalar);

    /** A mask as f32 lanes of 0 and 1. */
    String maskToFloat(String mask);

    /** A lane-wise binary op ({@code add}, {@code max}, ...) or comparison ({@code LT}, ...). */
    String vbinary(String op, String a, String b);

    String vcompare(String comparison, String a, String b);

    String vunary(String op, String a);

    /** where(mask, a, b). */
    String vselect(String mask, String a, String b);

    String vmask(String op, String a, String b);

    /**
     * Inverted dropout of vector {@code x}: lanes whose draw (element {@code flat} of stream
     * {@code key}) is below the threshold are 0, the others {@code fma(x, scale, x * low)}.
     */
    String vdropout(String x, String key, String flat, float threshold, float scale, float low);

    /**
     * Vector sums of f32 vectors in double lanes, {@code lanes() / sumLanes()} sum
     * vectors per f32 vector: their type, a zero one, {@code acc} plus part {@code part} of f32
     * vector {@code v} widened (exactly), and lane {@code lane} of a sum.
     */
    int sumLanes();

    String vsumType();

    String vsumZero();

    String vsumAdd(String acc, String v, int part);

    String vsumLane(String acc, int lane);

    /** The Java type of a vector value and of a mask. */
    String vectorType();

    String maskType();
}
