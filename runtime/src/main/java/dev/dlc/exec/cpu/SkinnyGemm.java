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
        int rows = batch * m;
        Parallel.IntRangeBody body = (lo, hi) -> {
            for (int r = lo; r < hi; r++) row(r / m, r % m, n, k, a, strideA, b, strideB, c, strideC, epilogue);
        };
        if ((long) rows * n * k < PARALLEL_MIN) body.run(0, rows);
        else Parallel.forRange(rows, body);
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
