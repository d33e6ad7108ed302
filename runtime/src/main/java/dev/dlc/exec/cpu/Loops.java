package dev.dlc.exec.cpu;

/**
 * How generated loop nests use the thread pool: the outer range is split by {@link Parallel}
 * unless the whole nest does too little work to pay for waking the workers. Which thread runs
 * which outer index never changes a result: every output element is computed by one thread in
 * a fixed order.
 */
public final class Loops {
    private Loops() {}

    /**
     * Below this many elements of work a loop nest runs on the calling thread: an elementwise
     * pass over 256k floats takes about 0.1 ms on one core, while waking a worker on a loaded
     * 2-core machine was measured at up to 0.4 ms.
     */
    static final long PARALLEL_MIN = 1 << 18;

    /**
     * Outer indices per call of a nest's body hold at least this many elements: a body is
     * called for pieces of its share, not once per thread. A body called once or twice a step
     * and looping long is compiled by C2 on stack (OSR) during its first call, before its outer
     * loop ever exited; the exit is compiled as a trap, the first exit deoptimizes it, and the
     * body runs C1's code, every vector boxed, until C2 compiles it again (DenseNet's batch-norm
     * sums, one call per thread a step: unstable_if traps at the loop exit in the deoptimization
     * log, and megabytes of boxed vectors a step). Called for pieces, the loop exits at every
     * call and the calls count: C2 compiles the whole body, and no such trap is left.
     */
    static final long PIECE = 1 << 15;

    /** Runs {@code body} over {@code [0, n)}; {@code work} is the nest's element count. */
    public static void run(int n, long work, Parallel.IntRangeBody body) {
        if (n < 1) return;
        int step = (int) Math.clamp(PIECE * n / Math.max(1, work), 1, n);
        Parallel.IntRangeBody pieces = step >= n ? body : (lo, hi) -> {
            for (int i = lo; i < hi; i += step) body.run(i, Math.min(hi, i + step));
        };
        if (work < PARALLEL_MIN || n < 2) pieces.run(0, n);
        else Parallel.forPieces(n, pieces);
    }
}
