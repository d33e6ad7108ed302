package dev.dlc.exec.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU kernels' thread pool: a fixed set of daemon workers plus the calling thread, which
 * takes the first share itself. {@link #forRange} splits {@code [0, n)} into contiguous chunks
 * by a static rule ({@code chunk t = [t·n/T, (t+1)·n/T)}), so which thread computes what
 * depends only on n and T; kernels keep their results independent of even that (every output's
 * summation order is fixed by the kernel), so T changes speed, never bits.
 *
 * <p>{@link #forPieces} splits the same shares into pieces that a thread which finishes early
 * takes from the others: for bodies whose calls cost little to start, it evens out a thread
 * that started late or was descheduled, which a static split leaves the others to wait for.
 *
 * <p>A call from inside a running body (a kernel calling a kernel), from a second thread while
 * the pool is busy, or under {@link #limited} with one thread runs the whole range on the
 * calling thread: nesting never deadlocks and never oversubscribes the cores.
 */
public final class Parallel {
    private Parallel() {}

    /** A share of a range: the indices {@code lo <= i < hi}. */
    @FunctionalInterface
    public interface IntRangeBody {
        void run(int lo, int hi);
    }

    /** Bound while a body runs, on the caller and on the workers: a nested call runs serially. */
    private static final ScopedValue<Boolean> INSIDE = ScopedValue.newInstance();
    /** At most this many threads for the calls made in its scope (tests compare 1 with N). */
    private static final ScopedValue<Integer> LIMIT = ScopedValue.newInstance();

    private static volatile Pool pool;
    private static int configured;

    /**
     * Sets the number of threads (the caller included) once, before the first parallel call;
     * {@code dlc run --threads N} calls it. Asking again for the same number is allowed.
     */
    public static synchronized void configure(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be positive, found " + threads);
        if (pool != null && pool.threads() != threads)
            throw new IllegalStateException("the CPU thread pool already runs " + pool.threads() + " threads; asked for " + threads);
        configured = threads;
    }

    /** The number of threads a parallel call uses: the configured count, else one per core. */
    public static int threads() {
        int t = pool().threads();
        return LIMIT.isBound() ? Math.min(t, LIMIT.get()) : t;
    }

    /** Runs {@code body} with at most {@code threads} threads for every parallel call it makes. */
    public static void limited(int threads, Runnable body) {
        ScopedValue.where(LIMIT, Math.max(1, threads)).run(body);
    }

    /** Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} chunks. */
    public static void forRange(int n, IntRangeBody body) { split(n, body, false); }

    /**
     * Pieces per thread of {@link #forPieces}. LeNet at batch 128, 2 threads, split statically:
     * the caller waited for the worker 0.33 ms a step in 4.4, the two having computed the same
     * total; a thread's share late by a fraction of a kernel is now made up by the other (six
     * alternating runs: median 5.6 ms a step before, 4.7 after).
     */
    static final int PIECES = 8;

    /**
     * Runs {@code body} over {@code [0, n)} split into up to {@link #PIECES} contiguous pieces
     * per thread. Each thread starts on the pieces of its {@link #forRange} share, first to
     * last, so that consecutive kernels still find their own share's data in their core's
     * cache; one that runs out takes the others' remaining pieces from their ends. Which thread
     * runs a piece varies from call to call, so the body must write each output from one piece,
     * in an order fixed by the piece alone (as every kernel here does); it also must not pay
     * much per call: a blocked GEMM's strip of rows packs all of B, so those products use
     * {@link #forRange} (a gathered one packs B once, before its pieces).
     */
    public static void forPieces(int n, IntRangeBody body) { split(n, body, true); }

    /** {@link #forRange} or {@link #forPieces}: on the caller alone when nested, limited to one thread or the pool is busy. */
    private static void split(int n, IntRangeBody body, boolean inPieces) {
        if (n <= 0) return;
        int t = Math.min(n, INSIDE.isBound() ? 1 : threads());
        Pool p = pool();
        if (t == 1 || !p.tryAcquire()) {
            inside(body, 0, n);
            return;
        }
        try {
            if (inPieces) p.run(t, t, pieces(n, t, body));
            else p.run(n, t, body);
        } finally {
            p.release();
        }
    }

    /** A body for the t threads' chunks of {@code [0, t)}: thread {@code me} takes the pieces of its share, then the others'. */
    private static IntRangeBody pieces(int n, int t, IntRangeBody body) {
        int pieces = Math.min(n, PIECES * t);
        // thread i's share: its next piece (high half) and the end of what is left of it (low)
        var shares = new AtomicLongArray(t);
        for (int i = 0; i < t; i++) shares.set(i, (long) Pool.chunkStart(pieces, t, i) << 32 | Pool.chunkStart(pieces, t, i + 1));
        return (me, unused) -> {
            for (int k = 0; k < t; k++) {
                int share = (me + k) % t;
                for (int i; (i = take(shares, share, k == 0)) >= 0; )
                    body.run(Pool.chunkStart(n, pieces, i), Pool.chunkStart(n, pieces, i + 1));
            }
        };
    }

    /** The next piece of a share, from its front (its own thread) or its end (another), or -1 when none is left. */
    private static int take(AtomicLongArray shares, int share, boolean front) {
        while (true) {
            long s = shares.get(share);
            int next = (int) (s >>> 32), end = (int) s;
            if (next >= end) return -1;
            long left = front ? (long) (next + 1) << 32 | end : (long) next << 32 | (end - 1);
            if (shares.compareAndSet(share, s, left)) return front ? next : end - 1;
        }
    }

    private static void inside(IntRangeBody body, int lo, int hi) {
        ScopedValue.where(INSIDE, true).run(() -> body.run(lo, hi));
    }

    private static Pool pool() {
        Pool p = pool;
        if (p != null) return p;
        synchronized (Parallel.class) {
            if (pool == null) pool = new Pool(configured > 0 ? configured : Runtime.getRuntime().availableProcessors());
            return pool;
        }
    }

    /**
     * threads - 1 workers, each with a one-slot mailbox. A dispatch fills the mailboxes, wakes
     * the workers, runs chunk 0 on the caller and waits for the others to count down. Workers
     * and the waiting caller spin briefly before parking: kernels come in quick succession.
     */
    private static final class Pool {
        private static final int SPINS = 1 << 14;

        private final Worker[] workers;
        private final AtomicInteger busy = new AtomicInteger();
        private final AtomicInteger pending = new AtomicInteger();
        private volatile Thread caller;
        private volatile Throwable failure;

        Pool(int threads) {
            workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this);
                var thread = Thread.ofPlatform().daemon().name("dlc-cpu-" + (i + 1)).unstarted(workers[i]);
                workers[i].thread = thread;
                thread.start();
            }
        }

        int threads() { return workers.length + 1; }

        boolean tryAcquire() { return busy.compareAndSet(0, 1); }

        void release() { busy.set(0); }

        void run(int n, int t, IntRangeBody body) {
            caller = Thread.currentThread();
            failure = null;
            pending.set(t - 1);
            for (int w = 1; w < t; w++) workers[w - 1].post(new Chunk(body, chunkStart(n, t, w), chunkStart(n, t, w + 1)));
            try {
                inside(body, 0, chunkStart(n, t, 1));
            } finally {
                awaitWorkers();
            }
            Throwable f = failure;
            if (f instanceof RuntimeException e) throw e;
            if (f instanceof Error e) throw e;
        }

        private void awaitWorkers() {
            for (int spin = 0; pending.get() > 0; spin++) {
                if (spin < SPINS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
        }

        void done(Throwable t) {
            if (t != null) failure = t;
            if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
        }

        private static int chunkStart(int n, int t, int i) { return (int) ((long) n * i / t); }
    }

    private record Chunk(IntRangeBody body, int lo, int hi) {}

    private static final class Worker implements Runnable {
        private final Pool pool;
        private volatile Chunk mailbox;
        private Thread thread;

        Worker(Pool pool) { this.pool = pool; }

        void post(Chunk c) {
            mailbox = c;
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            while (true) {
                Chunk c = take();
                Throwable failed = null;
                try {
                    inside(c.body(), c.lo(), c.hi());
                } catch (Throwable t) {
                    failed = t;
                }
                pool.done(failed);
            }
        }

        private Chunk take() {
            for (int spin = 0; ; spin++) {
                Chunk c = mailbox;
                if (c != null) {
                    mailbox = null;
                    return c;
                }
                if (spin < Pool.SPINS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
        }
    }
}
