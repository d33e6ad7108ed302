package dev.dlc.exec.cpu;

/**
 * Whether a vector kernel runs compiled yet, for kernels that have a scalar twin.
 *
 * <p>Why: until C2 compiles a method, its Vector API calls run boxed (an allocation per
 * vector), 100 times slower or worse than compiled and several times slower than plain scalar
 * code, which the first JIT tier compiles within milliseconds. A big kernel's first calls wait
 * for C2 that way: the first step of the 784-256-10 MLP spent 1.2 s in one product. So a kernel
 * with a twin runs the scalar twin while it is cold, except for probes: calls that run the
 * vector code (so that it gets hot and compiled) and time themselves. The first such call that
 * finishes within its budget (a compiled call's time, with a wide margin: a boxed one is far
 * over it) makes the kernel hot for good. The first {@link #EARLY} probes are every
 * {@link #EVERY}th call, which gives the JIT the counts that queue the method for C2; after
 * them a probe waits four times as long as the last one took, so that boxed probes cost at
 * most a fifth of the time until C2 is done.
 *
 * <p>Each twin computes the same sums in the same order with the same roundings (one fma per
 * product, from the same start), so which of the two ran never changes a bit of a result.
 * {@code -Ddlc.cpu.twins=false} runs the vector code from the first call (tests of the vector
 * code at small sizes set it).
 */
public final class Warming {
    /** Probes at every EVERYth call, then by time. */
    private static final int EARLY = 16, EVERY = 8;

    private static final boolean TWINS = !"false".equals(System.getProperty("dlc.cpu.twins"));

    private static final boolean TRACE = Boolean.getBoolean("dlc.trace.steps");

    /** The kernel, for -Ddlc.trace.steps. */
    private final String name;
    private volatile boolean hot = !TWINS;

    /** Cold calls and probes so far, and when the next probe may start. Racy on purpose: a lost update only moves the next probe. */
    private int calls, probes;
    private long nextProbe;

    public Warming(String name) { this.name = name; }

    /** {@link #start}'s answer when the kernel is hot: run the vector code, untimed. */
    public static final long HOT = -1;

    /**
     * How to run this call: 0 runs the twin; otherwise the vector kernel runs, then is handed
     * to {@link #timed} with this value ({@link #HOT}, or a probe's start time).
     */
    public long start() {
        if (hot) return HOT;
        if (probes < EARLY ? calls++ % EVERY != 0 : System.nanoTime() < nextProbe) return 0;
        probes++;
        return Math.max(1, System.nanoTime());
    }

    /** After a vector call that {@link #start} returned t0 for: a probe makes the kernel hot if it took at most {@code budgetNanos}. */
    public void timed(long t0, long budgetNanos) {
        if (t0 == HOT) return;
        long now = System.nanoTime(), took = now - t0;
        if (took <= budgetNanos) {
            hot = true;
            if (TRACE) System.err.printf("warming: %s hot after %d calls and %d probes (%.1f us)%n", name, calls, probes, took / 1e3);
        } else nextProbe = now + 4 * took;
    }
}
