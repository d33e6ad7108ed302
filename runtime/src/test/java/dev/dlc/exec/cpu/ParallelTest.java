package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyIndexOnceInContiguousChunks() {
        for (int n : new int[] {1, 2, 3, 7, 1000}) {
            var hits = new AtomicIntegerArray(n);
            var chunks = new AtomicInteger();
            Parallel.forRange(n, (lo, hi) -> {
                assertTrue(lo < hi, "no empty chunks");
                chunks.incrementAndGet();
                for (int i = lo; i < hi; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
            assertEquals(Math.min(n, Parallel.threads()), chunks.get());
        }
    }

    @Test
    void piecesCoverEveryIndexOnceInOrderWithinEach() {
        for (int n : new int[] {1, 2, 3, 7, 17, 1000}) {
            var hits = new AtomicIntegerArray(n);
            var pieces = new AtomicInteger();
            Parallel.forPieces(n, (lo, hi) -> {
                assertTrue(lo < hi, "no empty pieces");
                pieces.incrementAndGet();
                for (int i = lo; i < hi; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
            int threads = Math.min(n, Parallel.threads());
            assertEquals(threads == 1 ? 1 : Math.min(n, Parallel.PIECES * threads), pieces.get(), "pieces of " + n);
        }
    }

    @Test
    void aPieceNestedInAPieceRunsOnItsCaller() {
        var inner = new AtomicInteger();
        Parallel.forPieces(4, (lo, hi) -> {
            Thread outer = Thread.currentThread();
            Parallel.forPieces(100, (a, b) -> {
                assertSame(outer, Thread.currentThread());
                inner.addAndGet(b - a);
            });
        });
        assertEquals(400, inner.get());
    }

    @Test
    void aPiecesFailureReachesTheCaller() {
        var e = assertThrows(IllegalStateException.class, () -> Parallel.forPieces(1000, (lo, hi) -> {
            if (hi == 1000) throw new IllegalStateException("last piece");
        }));
        assertEquals("last piece", e.getMessage());
        Parallel.limited(1, () -> Parallel.forPieces(50, (lo, hi) -> assertEquals(50, hi - lo)));
    }

    @Test
    void aNestedCallRunsOnItsCaller() {
        var inner = new AtomicInteger();
        Parallel.forRange(4, (lo, hi) -> {
            Thread outer = Thread.currentThread();
            Parallel.forRange(100, (a, b) -> {
                assertSame(outer, Thread.currentThread());
                inner.addAndGet(b - a);
            });
        });
        assertEquals(Math.min(4, Parallel.threads()) * 100, inner.get());
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

    @Test
    void aWorkersFailureReachesTheCaller() {
        var e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(1000, (lo, hi) -> {
            if (hi == 1000) throw new IllegalStateException("last chunk");
        }));
        assertEquals("last chunk", e.getMessage());
        Parallel.forRange(10, (lo, hi) -> {});   // the pool still works
    }

    @Test
    void theThreadCountIsFixedOnceThePoolRuns() {
        Parallel.forRange(2, (lo, hi) -> {});
        Parallel.configure(Parallel.threads());
        assertThrows(IllegalStateException.class, () -> Parallel.configure(Parallel.threads() + 1));
        assertThrows(IllegalArgumentException.class, () -> Parallel.configure(0));
    }
}
