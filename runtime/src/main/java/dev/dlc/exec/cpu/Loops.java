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

    /** Runs {@code body} over {@code [0, n)}; {@code work} is the nest's element count. */
    public static void run(int n, long work, Parallel.IntRangeBody body) {
        if (work < PARALLEL_MIN || n < 2) body.run(0, n);
        else Parallel.forRange(n, body);
    }
}
