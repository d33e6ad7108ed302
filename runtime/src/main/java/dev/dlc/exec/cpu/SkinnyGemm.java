package dev.dlc.exec.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Products with a small side, {@code C[m,n] = A[m,k] · B[k,n]} with B row-major: a classifier
 * layer (n = 10), its gradient through a 10-wide output (k = 10). Packing and 6 × 64 tiles cost
 * more than such products compute, so each row of C is built directly: for each strip of
 * {@code lanes} columns, one register accumulates {@code A[i,p] · B[p, strip]} over p in order
 * (one fma per term, in f32), then the {@link Epilogue}. Rows are split over the threads; every
 * element's sum has the same order whatever the split.
 */
public final class SkinnyGemm {
    private SkinnyGemm() {}

    private static final VectorSpecies<Float> S = VectorMath.S;
    /**
     * Below this many multiply-adds (about 0.15 ms on one core), one thread finishes before a
     * second is reliably running: on a loaded 2-core machine waking a worker was measured at
     * 0.4 ms, against 0.05-0.09 ms for a whole 256 × 256 × 10 product on the caller.
     */
    private static final long PARALLEL_MIN = 1 << 21;

    /** Whether a product is better done here: B row-major and one side small. */
    static boolean fits(int m, int n, int k, boolean bTransposed) {
        return !bTransposed && (n <= 64 || k <= 32 || m <= 16);
    }

    /** {@code batch} products as {@link Gemm#multiplyBatched} (strides per item, 0 for a shared operand), C overwritten. */
    public static void multiplyBatched(int batch, int m, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                       Gemm.Operand c, int strideC, Epilogue epilogue) {
        if (a.transposed() && n < S.length() && m >= S.length()) {
            // A stored as its transpose: columns of C are contiguous strips of A's rows
            for (int t = 0; t < batch; t++) columns(t, m, n, k, a, strideA, b, strideB, c, strideC, epilogue);
            return;
        }
        if (m <= FEW_ROWS && (long) n * k >= STREAMED_MIN) {
            streamed(batch, m, n, k, a, strideA, b, strideB, c, strideC, epilogue);
            return;
        }
        int block = 2 * ROWS, blocks = batch * ((m + block - 1) / block), perItem = (m + block - 1) / block;
        Parallel.IntRangeBody body = (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int t = r / perItem, i0 = r % perItem * block;
                rows(t, i0, Math.min(m, i0 + block), n, k, a, strideA, b, strideB, c, strideC, epilogue);
            }
        };
        if ((long) batch * m * n * k < PARALLEL_MIN) body.run(0, blocks);
        else Parallel.forPieces(blocks, body);
    }

    /** Rows up to which a product with a large B streams it ({@link #streamed}). */
    private static final int FEW_ROWS = 16;
    /** B's size in floats from which it is streamed: 4 MiB, past a core's 2 MiB L2. */
    private static final long STREAMED_MIN = 1 << 20;
    /**
     * Columns of C per task of {@link #streamed}: a B row segment of a 4 KiB page, which the
     * prefetcher follows (a 6400 × 4096 B at 16 rows, 2 threads: segments of 256 columns 48 ms,
     * 1024 27-30, whole rows of 4096 52-58: one task, one thread).
     */
    static final int STREAMED_COLUMNS = 1024;

    /**
     * Few rows of a B too large for cache (AlexNet's 6400 × 4096 layer at batch 16): tasks of
     * {@link #STREAMED_COLUMNS} columns and every row, B read along its rows, p by p, into sums
     * kept in cache. The register tiles walk a strip of B down its column, a row 16 KB after the
     * last, where no prefetcher follows (that layer: 98-120 ms on one thread, now 48-56; on two,
     * 27-30, and 15-16 with {@link #streamedTask}'s four p at a time). Each element is summed
     * as the tiles sum it (over p in order from zero, one fma per term), bit for bit.
     */
    private static void streamed(int batch, int m, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                 Gemm.Operand c, int strideC, Epilogue epilogue) {
        int perItem = Gemm.ceilDiv(n, STREAMED_COLUMNS);
        Parallel.forPieces(batch * perItem, (lo, hi) -> {
            float[] sums = Scratch.floats(Scratch.COLUMNS, m * STREAMED_COLUMNS);
            for (int r = lo; r < hi; r++) {
                int t = r / perItem, j0 = r % perItem * STREAMED_COLUMNS;
                columnsOfRows(t, m, j0, Math.min(n, j0 + STREAMED_COLUMNS), k, a, strideA, b, strideB, c, strideC, epilogue, sums);
            }
        });
    }

    /** Columns [j0, j1) of item t's m rows: {@link #streamedTask}, or its scalar twin while it is cold (as {@link #rows}). */
    private static void columnsOfRows(int t, int m, int j0, int j1, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                      Gemm.Operand c, int strideC, Epilogue epilogue, float[] sums) {
        long t0 = STREAMING.start();
        if (t0 == 0) {
            scalarRows(t, 0, m, j0, j1, k, a, strideA, b, strideB, c, strideC, epilogue);
            return;
        }
        streamedTask(t, m, j0, j1, k, a, strideA, b, strideB, c, strideC, epilogue, sums);
        STREAMING.timed(t0, budget(m, j1 - j0, k));
    }

    /**
     * Columns [j0, j1) of item t's m rows: for each p, each row's sums += A[i, p] · B[p, j0..j1).
     * Four p at a time: a vector of sums is loaded and stored once for four fmas, in p's order
     * (16 rows of 1,024 sums are 64 KB, past L1: loaded and stored for every p, their traffic
     * to L2 outweighed B's from memory; AlexNet's 6400 × 4096 layer at batch 16, alone: 28-31 ms
     * at the median, now 15-16).
     */
    static void streamedTask(int t, int m, int j0, int j1, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                             Gemm.Operand c, int strideC, Epilogue epilogue, float[] sums) {
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        int ao = a.offset() + t * strideA, bo = b.offset() + t * strideB, co = c.offset() + t * strideC;
        int step = a.transposed() ? a.ld() : 1, r = a.transposed() ? 1 : a.ld(), ldb = b.ld(), ldc = c.ld(), L = S.length();
        int w = j1 - j0, whole = w - w % L, ws = STREAMED_COLUMNS;
        java.util.Arrays.fill(sums, 0, m * ws, 0f);
        VectorMask<Float> tail = S.indexInRange(whole, w);
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            int row = bo + p * ldb + j0;
            for (int i = 0; i < m; i++) {
                int ai = ao + i * r + p * step;
                var x0 = FloatVector.broadcast(S, ad[ai]);
                var x1 = FloatVector.broadcast(S, ad[ai + step]);
                var x2 = FloatVector.broadcast(S, ad[ai + 2 * step]);
                var x3 = FloatVector.broadcast(S, ad[ai + 3 * step]);
                int at = i * ws;
                for (int v = 0; v < whole; v += L) {
                    var s = FloatVector.fromArray(S, bd, row + v).fma(x0, FloatVector.fromArray(S, sums, at + v));
                    s = FloatVector.fromArray(S, bd, row + ldb + v).fma(x1, s);
                    s = FloatVector.fromArray(S, bd, row + 2 * ldb + v).fma(x2, s);
                    FloatVector.fromArray(S, bd, row + 3 * ldb + v).fma(x3, s).intoArray(sums, at + v);
                }
                if (whole < w) {
                    var s = FloatVector.fromArray(S, bd, row + whole, tail).fma(x0, FloatVector.fromArray(S, sums, at + whole));
                    s = FloatVector.fromArray(S, bd, row + ldb + whole, tail).fma(x1, s);
                    s = FloatVector.fromArray(S, bd, row + 2 * ldb + whole, tail).fma(x2, s);
                    FloatVector.fromArray(S, bd, row + 3 * ldb + whole, tail).fma(x3, s).intoArray(sums, at + whole);
                }
            }
        }
        for (; p < k; p++) {
            int row = bo + p * ldb + j0;
            for (int i = 0; i < m; i++) {
                var x = FloatVector.broadcast(S, ad[ao + i * r + p * step]);
                int at = i * ws;
                for (int v = 0; v < whole; v += L)
                    FloatVector.fromArray(S, bd, row + v).fma(x, FloatVector.fromArray(S, sums, at + v)).intoArray(sums, at + v);
                if (whole < w)
                    FloatVector.fromArray(S, bd, row + whole, tail).fma(x, FloatVector.fromArray(S, sums, at + whole)).intoArray(sums, at + whole);
            }
        }
        for (int i = 0; i < m; i++) System.arraycopy(sums, i * ws, cd, co + i * ldc + j0, w);
        epilogue.apply(cd, co + j0, ldc, m, w, 0, j0);
    }

    /** Rows computed together: each B strip loaded once serves this many rows of A. */
    private static final int ROWS = 4;

    /**
     * Rows [i0, i1) of item t. Eight accumulators are in flight at every p (an FMA takes four
     * cycles and two issue per cycle): four rows times two strips of columns, or eight rows of
     * the single strip when n fits one vector (a classifier's 10 outputs). Each element still
     * sums over p in order from zero, one fma per term.
     */
    private static void rows(int t, int i0, int i1, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                             Gemm.Operand c, int strideC, Epilogue epilogue) {
        Warming w = n <= S.length() ? NARROW : WIDE;
        long t0 = w.start();
        if (t0 == 0) {
            scalarRows(t, i0, i1, n, k, a, strideA, b, strideB, c, strideC, epilogue);
            return;
        }
        vectorRows(t, i0, i1, n, k, a, strideA, b, strideB, c, strideC, epilogue);
        w.timed(t0, budget(i1 - i0, n, k));
    }

    /** Scalar twins while the vector paths are cold ({@link Warming}): eightRows, fourRows, columnTask and streamedTask. */
    private static final Warming NARROW = new Warming("skinny 8 rows"), WIDE = new Warming("skinny 4 rows"), COLUMNS = new Warming("skinny columns"),
            STREAMING = new Warming("skinny streamed");

    /** A compiled vector path's time for rows × n × k with a wide margin: 8 ns a vector fma (a boxed one takes 50 or more). */
    private static long budget(int rows, int n, int k) {
        return 8L * rows * ((n + S.length() - 1) / S.length()) * k + 2_000;
    }

    /**
     * Rows [i0, i1) of item t one element at a time, each summed over p in order from zero with
     * one fma per term: the bits the vector paths give, whose lanes do the same.
     */
    static void scalarRows(int t, int i0, int i1, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                   Gemm.Operand c, int strideC, Epilogue epilogue) {
        scalarRows(t, i0, i1, 0, n, k, a, strideA, b, strideB, c, strideC, epilogue);
    }

    /** {@link #scalarRows} for columns [j0, j1). */
    private static void scalarRows(int t, int i0, int i1, int j0, int j1, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                   Gemm.Operand c, int strideC, Epilogue epilogue) {
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        int ao = a.offset() + t * strideA, bo = b.offset() + t * strideB, co = c.offset() + t * strideC, ldb = b.ld(), ldc = c.ld();
        int step = a.transposed() ? a.ld() : 1, r = a.transposed() ? 1 : a.ld();
        for (int i = i0; i < i1; i++) {
            int out = co + i * ldc;
            java.util.Arrays.fill(cd, out + j0, out + j1, 0f);
            for (int p = 0, at = ao + i * r; p < k; p++, at += step) {
                float x = ad[at];
                int row = bo + p * ldb;
                for (int j = j0; j < j1; j++) cd[out + j] = Math.fma(bd[row + j], x, cd[out + j]);
            }
        }
        epilogue.apply(cd, co + i0 * ldc + j0, ldc, i1 - i0, j1 - j0, i0, j0);
    }

    static void vectorRows(int t, int i0, int i1, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                   Gemm.Operand c, int strideC, Epilogue epilogue) {
        int i = i0;
        if (n <= S.length()) for (; i + 2 * ROWS <= i1; i += 2 * ROWS) eightRows(t, i, n, k, a, strideA, b, strideB, c, strideC, epilogue);
        for (; i + ROWS <= i1; i += ROWS) fourRows(t, i, n, k, a, strideA, b, strideB, c, strideC, epilogue);
        for (; i < i1; i++) row(t, i, n, k, a, strideA, b, strideB, c, strideC, epilogue);
    }

    /**
     * Rows [i0, i0 + 4): pairs of whole strips of columns unmasked, the rest a strip at a time
     * (masked past n). Masks stay out of the pair loop: a masked load whose vector would run
     * past the array takes the Vector API's slow path.
     */
    private static void fourRows(int t, int i0, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                 Gemm.Operand c, int strideC, Epilogue epilogue) {
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        int ao = a.offset() + t * strideA, bo = b.offset() + t * strideB, co = c.offset() + t * strideC;
        int step = a.transposed() ? a.ld() : 1, r = a.transposed() ? 1 : a.ld(), ldb = b.ld(), ldc = c.ld();
        int a0 = ao + i0 * r, L = S.length(), j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            var c0 = FloatVector.zero(S);
            var c1 = c0; var c2 = c0; var c3 = c0; var d0 = c0; var d1 = c0; var d2 = c0; var d3 = c0;
            for (int p = 0, at = a0; p < k; p++, at += step) {
                int row = bo + p * ldb + j;
                var b0 = FloatVector.fromArray(S, bd, row);
                var b1 = FloatVector.fromArray(S, bd, row + L);
                var x0 = FloatVector.broadcast(S, ad[at]);
                var x1 = FloatVector.broadcast(S, ad[at + r]);
                var x2 = FloatVector.broadcast(S, ad[at + 2 * r]);
                var x3 = FloatVector.broadcast(S, ad[at + 3 * r]);
                c0 = b0.fma(x0, c0); c1 = b0.fma(x1, c1); c2 = b0.fma(x2, c2); c3 = b0.fma(x3, c3);
                d0 = b1.fma(x0, d0); d1 = b1.fma(x1, d1); d2 = b1.fma(x2, d2); d3 = b1.fma(x3, d3);
            }
            int out = co + i0 * ldc + j;
            c0.intoArray(cd, out); d0.intoArray(cd, out + L);
            c1.intoArray(cd, out + ldc); d1.intoArray(cd, out + ldc + L);
            c2.intoArray(cd, out + 2 * ldc); d2.intoArray(cd, out + 2 * ldc + L);
            c3.intoArray(cd, out + 3 * ldc); d3.intoArray(cd, out + 3 * ldc + L);
        }
        for (; j < n; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            var c0 = FloatVector.zero(S);
            var c1 = c0; var c2 = c0; var c3 = c0;
            for (int p = 0, at = a0; p < k; p++, at += step) {
                var bv = FloatVector.fromArray(S, bd, bo + p * ldb + j, mask);
                c0 = bv.fma(FloatVector.broadcast(S, ad[at]), c0);
                c1 = bv.fma(FloatVector.broadcast(S, ad[at + r]), c1);
                c2 = bv.fma(FloatVector.broadcast(S, ad[at + 2 * r]), c2);
                c3 = bv.fma(FloatVector.broadcast(S, ad[at + 3 * r]), c3);
            }
            int out = co + i0 * ldc + j;
            c0.intoArray(cd, out, mask);
            c1.intoArray(cd, out + ldc, mask);
            c2.intoArray(cd, out + 2 * ldc, mask);
            c3.intoArray(cd, out + 3 * ldc, mask);
        }
        epilogue.apply(cd, co + i0 * ldc, ldc, ROWS, n, i0, 0);
    }

    /** Rows [i0, i0 + 8) when n fits one vector. */
    private static void eightRows(int t, int i0, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                  Gemm.Operand c, int strideC, Epilogue epilogue) {
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        int ao = a.offset() + t * strideA, bo = b.offset() + t * strideB, co = c.offset() + t * strideC;
        int step = a.transposed() ? a.ld() : 1, r = a.transposed() ? 1 : a.ld(), ldb = b.ld(), ldc = c.ld();
        VectorMask<Float> mask = S.indexInRange(0, n);
        var c0 = FloatVector.zero(S);
        var c1 = c0; var c2 = c0; var c3 = c0; var c4 = c0; var c5 = c0; var c6 = c0; var c7 = c0;
        for (int p = 0, at = ao + i0 * r; p < k; p++, at += step) {
            var bv = FloatVector.fromArray(S, bd, bo + p * ldb, mask);
            c0 = bv.fma(FloatVector.broadcast(S, ad[at]), c0);
            c1 = bv.fma(FloatVector.broadcast(S, ad[at + r]), c1);
            c2 = bv.fma(FloatVector.broadcast(S, ad[at + 2 * r]), c2);
            c3 = bv.fma(FloatVector.broadcast(S, ad[at + 3 * r]), c3);
            c4 = bv.fma(FloatVector.broadcast(S, ad[at + 4 * r]), c4);
            c5 = bv.fma(FloatVector.broadcast(S, ad[at + 5 * r]), c5);
            c6 = bv.fma(FloatVector.broadcast(S, ad[at + 6 * r]), c6);
            c7 = bv.fma(FloatVector.broadcast(S, ad[at + 7 * r]), c7);
        }
        int out = co + i0 * ldc;
        c0.intoArray(cd, out, mask); c1.intoArray(cd, out + ldc, mask);
        c2.intoArray(cd, out + 2 * ldc, mask); c3.intoArray(cd, out + 3 * ldc, mask);
        c4.intoArray(cd, out + 4 * ldc, mask); c5.intoArray(cd, out + 5 * ldc, mask);
        c6.intoArray(cd, out + 6 * ldc, mask); c7.intoArray(cd, out + 7 * ldc, mask);
        epilogue.apply(cd, out, ldc, 2 * ROWS, n, i0, 0);
    }

    /** Strips of C's rows per task of {@link #columns}: two strips of 16 rows each at 512 bits. */
    private static final int STRIPS = 2;
    /** Columns of C per pass of {@link #columns}: with two strips, ten accumulators (a classifier's 10 outputs in two passes). */
    private static final int COLS = 5;

    /**
     * C's columns when A is stored transposed (a weight gradient {@code xᵀ · dy} through a
     * narrow output): A(i, p) for consecutive i is contiguous, so a register holds a strip of
     * rows of one column of C. Each task takes two strips of rows and, five columns at a time,
     * accumulates them over p in order (ten independent fmas per p; the strips of A stay in L1
     * across the column passes), into Cᵀ in scratch, then transposes its rows into C and applies
     * the epilogue to them. Tasks are spread over the threads; no element's order depends on it.
     */
    private static void columns(int t, int m, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                Gemm.Operand c, int strideC, Epilogue epilogue) {
        int rowsPerTask = STRIPS * S.length(), tasks = (m + rowsPerTask - 1) / rowsPerTask;
        Parallel.IntRangeBody body = (lo, hi) -> {
            float[] ct = Scratch.floats(Scratch.COLUMNS, n * rowsPerTask);
            for (int task = lo; task < hi; task++)
                columnTask(t, task * rowsPerTask, Math.min(m, (task + 1) * rowsPerTask), n, k, a, strideA, b, strideB, c, strideC, epilogue, ct);
        };
        if ((long) m * n * k < PARALLEL_MIN) body.run(0, tasks);
        else Parallel.forPieces(tasks, body);
    }

    private static void columnTask(int t, int i0, int i1, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                   Gemm.Operand c, int strideC, Epilogue epilogue, float[] ct) {
        long t0 = COLUMNS.start();
        if (t0 == 0) {
            scalarRows(t, i0, i1, n, k, a, strideA, b, strideB, c, strideC, epilogue);
            return;
        }
        vectorColumnTask(t, i0, i1, n, k, a, strideA, b, strideB, c, strideC, epilogue, ct);
        COLUMNS.timed(t0, budget(STRIPS, ((n + COLS - 1) / COLS) * COLS * S.length(), k));
    }

    static void vectorColumnTask(int t, int i0, int i1, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                         Gemm.Operand c, int strideC, Epilogue epilogue, float[] ct) {
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        int ao = a.offset() + t * strideA, bo = b.offset() + t * strideB, co = c.offset() + t * strideC;
        int lda = a.ld(), ldb = b.ld(), L = S.length(), rows = i1 - i0;
        VectorMask<Float> m0 = S.indexInRange(i0, i1), m1 = S.indexInRange(i0 + L, i1);
        for (int j = 0; j < n; j += COLS) {
            // past n, the last column is computed again and not kept
            int j1 = Math.min(j + 1, n - 1), j2 = Math.min(j + 2, n - 1), j3 = Math.min(j + 3, n - 1), j4 = Math.min(j + 4, n - 1);
            var c0 = FloatVector.zero(S);
            var c1 = c0; var c2 = c0; var c3 = c0; var c4 = c0; var d0 = c0; var d1 = c0; var d2 = c0; var d3 = c0; var d4 = c0;
            for (int p = 0; p < k; p++) {
                int at = ao + p * lda + i0, bp = bo + p * ldb;
                var x = FloatVector.fromArray(S, ad, at, m0);
                var y = FloatVector.fromArray(S, ad, at + L, m1);
                var w0 = FloatVector.broadcast(S, bd[bp + j]);
                var w1 = FloatVector.broadcast(S, bd[bp + j1]);
                var w2 = FloatVector.broadcast(S, bd[bp + j2]);
                var w3 = FloatVector.broadcast(S, bd[bp + j3]);
                var w4 = FloatVector.broadcast(S, bd[bp + j4]);
                c0 = x.fma(w0, c0); c1 = x.fma(w1, c1); c2 = x.fma(w2, c2); c3 = x.fma(w3, c3); c4 = x.fma(w4, c4);
                d0 = y.fma(w0, d0); d1 = y.fma(w1, d1); d2 = y.fma(w2, d2); d3 = y.fma(w3, d3); d4 = y.fma(w4, d4);
            }
            int r = 2 * L;
            c0.intoArray(ct, j * r); d0.intoArray(ct, j * r + L);
            if (j + 1 < n) { c1.intoArray(ct, (j + 1) * r); d1.intoArray(ct, (j + 1) * r + L); }
            if (j + 2 < n) { c2.intoArray(ct, (j + 2) * r); d2.intoArray(ct, (j + 2) * r + L); }
            if (j + 3 < n) { c3.intoArray(ct, (j + 3) * r); d3.intoArray(ct, (j + 3) * r + L); }
            if (j + 4 < n) { c4.intoArray(ct, (j + 4) * r); d4.intoArray(ct, (j + 4) * r + L); }
        }
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < n; j++) cd[co + (i0 + i) * c.ld() + j] = ct[j * 2 * L + i];
        epilogue.apply(cd, co + i0 * c.ld(), c.ld(), rows, n, i0, 0);
    }

    private static void row(int t, int i, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                            Gemm.Operand c, int strideC, Epilogue epilogue) {
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        int ao = a.offset() + t * strideA, bo = b.offset() + t * strideB, co = c.offset() + t * strideC + i * c.ld();
        // A[i, p]: row-major at ao + i·ld + p, or transposed at ao + p·ld + i
        int aBase = a.transposed() ? ao + i : ao + i * a.ld(), aStep = a.transposed() ? a.ld() : 1;
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            var acc = FloatVector.zero(S);
            for (int p = 0, at = aBase; p < k; p++, at += aStep)
                acc = FloatVector.fromArray(S, bd, bo + p * b.ld() + j, mask).fma(FloatVector.broadcast(S, ad[at]), acc);
            acc.intoArray(cd, co + j, mask);
        }
        epilogue.apply(cd, co, c.ld(), 1, n, i, 0);
    }
}
