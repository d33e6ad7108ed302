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
        int blocks = batch * ((m + ROWS - 1) / ROWS), perItem = (m + ROWS - 1) / ROWS;
        Parallel.IntRangeBody body = (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int t = r / perItem, i0 = r % perItem * ROWS;
                rows(t, i0, Math.min(m, i0 + ROWS), n, k, a, strideA, b, strideB, c, strideC, epilogue);
            }
        };
        if ((long) batch * m * n * k < PARALLEL_MIN) body.run(0, blocks);
        else Parallel.forRange(blocks, body);
    }

    /** Rows computed together: each B strip loaded once serves this many rows of A. */
    private static final int ROWS = 4;

    /** Rows [i0, i1) of item t: for each strip of columns, ROWS registers accumulate over p in order. */
    private static void rows(int t, int i0, int i1, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                             Gemm.Operand c, int strideC, Epilogue epilogue) {
        if (i1 - i0 < ROWS) {
            for (int i = i0; i < i1; i++) row(t, i, n, k, a, strideA, b, strideB, c, strideC, epilogue);
            return;
        }
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        int ao = a.offset() + t * strideA, bo = b.offset() + t * strideB, co = c.offset() + t * strideC;
        int step = a.transposed() ? a.ld() : 1, rowStep = a.transposed() ? 1 : a.ld();
        int a0 = ao + i0 * rowStep;
        for (int j = 0; j < n; j += S.length()) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            var c0 = FloatVector.zero(S);
            var c1 = c0;
            var c2 = c0;
            var c3 = c0;
            for (int p = 0, at = a0; p < k; p++, at += step) {
                var bv = FloatVector.fromArray(S, bd, bo + p * b.ld() + j, mask);
                c0 = bv.fma(FloatVector.broadcast(S, ad[at]), c0);
                c1 = bv.fma(FloatVector.broadcast(S, ad[at + rowStep]), c1);
                c2 = bv.fma(FloatVector.broadcast(S, ad[at + 2 * rowStep]), c2);
                c3 = bv.fma(FloatVector.broadcast(S, ad[at + 3 * rowStep]), c3);
            }
            c0.intoArray(cd, co + i0 * c.ld() + j, mask);
            c1.intoArray(cd, co + (i0 + 1) * c.ld() + j, mask);
            c2.intoArray(cd, co + (i0 + 2) * c.ld() + j, mask);
            c3.intoArray(cd, co + (i0 + 3) * c.ld() + j, mask);
        }
        epilogue.apply(cd, co + i0 * c.ld(), c.ld(), ROWS, n, i0, 0);
    }

    /** Rows of A (stored transposed) per pass: PANEL × m floats stay in L2 while every column of C reads them. */
    private static final int PANEL = 64;

    /**
     * C's columns, a strip of rows per register: A(i, p) for consecutive i is contiguous when A is
     * stored transposed. K runs in panels so that the panel of A stays in cache across the n
     * columns; each column is accumulated in f32 over p in order (a panel resumes from the
     * stored partial sum, which is what the register held), into Cᵀ, then transposed into C.
     */
    private static void columns(int t, int m, int n, int k, Gemm.Operand a, int strideA, Gemm.Operand b, int strideB,
                                Gemm.Operand c, int strideC, Epilogue epilogue) {
        float[] ad = a.data(), bd = b.data(), cd = c.data();
        int ao = a.offset() + t * strideA, bo = b.offset() + t * strideB, co = c.offset() + t * strideC;
        var ct = new float[n * m];
        for (int p0 = 0; p0 < k; p0 += PANEL) {
            int p1 = Math.min(k, p0 + PANEL);
            for (int j = 0; j < n; j++)
                for (int i = 0; i < m; i += S.length()) {
                    VectorMask<Float> mask = S.indexInRange(i, m);
                    var acc = p0 == 0 ? FloatVector.zero(S) : FloatVector.fromArray(S, ct, j * m + i, mask);
                    for (int p = p0; p < p1; p++)
                        acc = FloatVector.fromArray(S, ad, ao + p * a.ld() + i, mask).fma(FloatVector.broadcast(S, bd[bo + p * b.ld() + j]), acc);
                    acc.intoArray(ct, j * m + i, mask);
                }
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) cd[co + i * c.ld() + j] = ct[j * m + i];
        epilogue.apply(cd, co, c.ld(), m, n, 0, 0);
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
