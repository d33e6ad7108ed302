package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** SkinnyGemm against a double-precision triple loop: both forms (rows, transposed columns), edges, batches, bias and relu. */
class SkinnyGemmTest {

    @Test
    void everyFormAgreesWithTheReference() {
        var rng = new SplittableRandom(2);
        int[][] shapes = {{256, 10, 256}, {7, 10, 5}, {256, 256, 10}, {10, 256, 256}, {784, 10, 256}, {33, 3, 70}, {1, 1, 1}, {5, 17, 3},
                {37, 40, 9}, {100, 3, 50}, {61, 15, 2000}, {19, 64, 7},
                // few rows of a B past the cache, streamed along its rows (a last task narrower, with a masked tail)
                {5, 1100, 1000}, {16, 2100, 600}};
        for (int[] s : shapes)
            for (boolean at : new boolean[] {false, true})
                for (int batch : new int[] {1, 3}) check(rng, s[0], s[1], s[2], at, batch);
    }

    private static void check(SplittableRandom rng, int m, int n, int k, boolean aTransposed, int batch) {
        float[] a = random(rng, batch * m * k), b = random(rng, batch * k * n), bias = random(rng, n), c = new float[batch * m * n];
        var opA = new Gemm.Operand(a, 0, aTransposed ? m : k, aTransposed);
        var epilogue = Epilogue.of(Epilogue.Activation.RELU).withColBias(bias, 0);
        SkinnyGemm.multiplyBatched(batch, m, n, k, opA, m * k, Gemm.Operand.of(b, n), k * n, Gemm.Operand.of(c, n), m * n, epilogue);
        for (int t = 0; t < batch; t++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double sum = 0, mag = 0;
                    for (int p = 0; p < k; p++) {
                        double x = aTransposed ? a[t * m * k + p * m + i] : a[t * m * k + i * k + p], y = b[t * k * n + p * n + j];
                        sum += x * y;
                        mag += Math.abs(x * y);
                    }
                    double expected = Math.max(0, (float) sum + bias[j]);
                    assertEquals(expected, c[t * m * n + i * n + j], 1e-5 * (mag + 1),
                            m + "x" + n + "x" + k + (aTransposed ? " A transposed" : "") + " batch " + batch + " at " + t + "," + i + "," + j);
                }
    }

    private static float[] random(SplittableRandom rng, int n) {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextDouble(-1, 1);
        return x;
    }

    /** The scalar twin run while the vector code is cold gives the vector paths' bits exactly (Warming). */
    @Test
    void theScalarTwinGivesTheVectorBits() {
        var rng = new SplittableRandom(3);
        int[][] shapes = {{8, 10, 256}, {8, 10, 7}, {4, 256, 10}, {8, 40, 9}, {3, 17, 33}, {8, 1, 100}};
        for (int[] s : shapes)
            for (boolean at : new boolean[] {false, true}) {
                int m = s[0], n = s[1], k = s[2];
                float[] a = random(rng, m * k), b = random(rng, k * n), bias = random(rng, n);
                var opA = new Gemm.Operand(a, 0, at ? m : k, at);
                var epilogue = Epilogue.of(Epilogue.Activation.SIGMOID).withColBias(bias, 0);
                float[] vector = new float[m * n], scalar = new float[m * n];
                SkinnyGemm.vectorRows(0, 0, m, n, k, opA, 0, Gemm.Operand.of(b, n), 0, Gemm.Operand.of(vector, n), 0, epilogue);
                SkinnyGemm.scalarRows(0, 0, m, n, k, opA, 0, Gemm.Operand.of(b, n), 0, Gemm.Operand.of(scalar, n), 0, epilogue);
                assertBits(vector, scalar, m + "x" + n + "x" + k + (at ? " A transposed" : ""));
            }
        // the transposed-A column form: one task of two strips of rows, columns five at a time
        int m = 2 * VectorMath.S.length(), n = 10, k = 70;
        float[] a = random(rng, m * k), b = random(rng, k * n), ct = new float[n * m];
        float[] vector = new float[m * n], scalar = new float[m * n];
        var opA = new Gemm.Operand(a, 0, m, true);
        SkinnyGemm.vectorColumnTask(0, 0, m, n, k, opA, 0, Gemm.Operand.of(b, n), 0, Gemm.Operand.of(vector, n), 0, Epilogue.NONE, ct);
        SkinnyGemm.scalarRows(0, 0, m, n, k, opA, 0, Gemm.Operand.of(b, n), 0, Gemm.Operand.of(scalar, n), 0, Epilogue.NONE);
        assertBits(vector, scalar, "columns");
    }

    /**
     * Few rows of a large B, streamed along its rows (four p at a time, then the rest): each
     * element summed as the scalar rows sum it, bit for bit, with A stored plain or transposed.
     */
    @Test
    void streamedRowsKeepTheBits() {
        for (boolean transposed : new boolean[] {false, true}) streamedRowsKeepTheBits(transposed);
    }

    private static void streamedRowsKeepTheBits(boolean transposed) {
        var rng = new SplittableRandom(4);
        int m = 14, n = SkinnyGemm.STREAMED_COLUMNS + 300, k = 1003;
        float[] a = random(rng, m * k), b = random(rng, k * n), bias = random(rng, n);
        var opA = transposed ? new Gemm.Operand(a, 0, m, true) : Gemm.Operand.of(a, k);
        var epilogue = Epilogue.of(Epilogue.Activation.RELU).withColBias(bias, 0);
        float[] split = new float[m * n], scalar = new float[m * n];
        int w = SkinnyGemm.STREAMED_COLUMNS;
        float[] sums = new float[m * w + 16];
        for (int j0 = 0; j0 < n; j0 += w)
            SkinnyGemm.streamedTask(0, m, j0, Math.min(n, j0 + w), k, opA, 0, Gemm.Operand.of(b, n), 0, Gemm.Operand.of(split, n), 0, epilogue, sums);
        SkinnyGemm.scalarRows(0, 0, m, n, k, opA, 0, Gemm.Operand.of(b, n), 0, Gemm.Operand.of(scalar, n), 0, epilogue);
        assertBits(scalar, split, m + "x" + n + "x" + k);
    }

    static void assertBits(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++)
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + " at " + i + ": " + expected[i] + " vs " + actual[i]);
    }
}
