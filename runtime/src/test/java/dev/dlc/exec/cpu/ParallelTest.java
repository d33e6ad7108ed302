package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelTest {
    /** forRange or forPieces. */
    @FunctionalInterface
    private interface Split {
        void run(int n, Parallel.IntRangeBody body);
    }

    /** Every index once, in {@code calls.applyAsInt(n)} non-empty ranges. */
    private static void everyIndexOnce(Split split, java.util.function.IntUnaryOperator calls) {
        for (int n : new int[] {1, 2, 3, 7, 17, 1000}) {
            var hits = new AtomicIntegerArray(n);
            var ranges = new AtomicInteger();
            split.run(n, (lo, hi) -> {
                assertTrue(lo < hi, "no empty ranges");
                ranges.incrementAndGet();
                for (int i = lo; i < hi; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
            assertEquals(calls.applyAsInt(n), ranges.get(), "ranges of " + n);
        }
    }

    @Test
    void everyIndexOnceInContiguousChunks() {
        everyIndexOnce(Parallel::forRange, n -> Math.min(n, Parallel.threads()));
    }

    @Test
    void piecesCoverEveryIndexOnce() {
        everyIndexOnce(Parallel::forPieces, n -> {
            int threads = Math.min(n, Parallel.threads());
            return threads == 1 ? 1 : Math.min(n, Parallel.PIECES * threads);
        });
    }

    /** A call inside a body of {@code outer} ranges runs on that body's thread; 100 indices each. */
    private static void nestedCallsRunOnTheirCaller(Split split, int outer) {
        var inner = new AtomicInteger();
        split.run(4, (lo, hi) -> {
            Thread caller = Thread.currentThread();
            split.run(100, (a, b) -> {
                assertSame(caller, Thread.currentThread());
                inner.addAndGet(b - a);
            });
        });
        assertEquals(outer * 100, inner.get());
    }

    @Test
    void aNestedCallRunsOnItsCaller() {
        nestedCallsRunOnTheirCaller(Parallel::forRange, Math.min(4, Parallel.threads()));
    }

    @Test
    void aPieceNestedInAPieceRunsOnItsCaller() {
        nestedCallsRunOnTheirCaller(Parallel::forPieces, 4);
    }

    @Test
    void limitedToOneThreadRunsEverythingOnTheCaller() {
        Thread me = Thread.currentThread();
        Parallel.limited(1, () -> Parallel.forRange(50, (lo, hi) -> {
            assertSame(me, Thread.currentThread());
            assertEquals(0, lo);
            assertEquals(50, hi);
        }));
    }

    /** A failure in the range ending at 1000 reaches the caller, and the pool still works. */
    private static void aFailureReachesTheCaller(Split split) {
        var e = assertThrows(IllegalStateException.class, () -> split.run(1000, (lo, hi) -> {
            if (hi == 1000) throw new IllegalStateException("last range");
        }));
        assertEquals("last range", e.getMessage());
        split.run(10, (lo, hi) -> {});
    }

    @Test
    void aWorkersFailureReachesTheCaller() {
        aFailureReachesTheCaller(Parallel::forRange);
    }

    @Test
    void aPiecesFailureReachesTheCaller() {
        aFailureReachesTheCaller(Parallel::forPieces);
        Parallel.limited(1, () -> Parallel.forPieces(50, (lo, hi) -> assertEquals(50, hi - lo)));
    }

    @Test
    void theThreadCountIsFixedOnceThePoolRuns() {
        Parallel.forRange(2, (lo, hi) -> {});
        Parallel.configure(Parallel.threads());
        assertThrows(IllegalStateException.class, () -> Parallel.configure(Parallel.threads() + 1));
        assertThrows(IllegalArgumentException.class, () -> Parallel.configure(0));
    }
}
