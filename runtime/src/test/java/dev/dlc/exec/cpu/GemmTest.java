package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.exec.cpu.Epilogue.Activation;
import dev.dlc.exec.cpu.Gemm.Operand;
import dev.dlc.ops.Prim;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Gemm against the reference matmul kernel, over sizes that cut every block and tile edge. */
class GemmTest {
    /** (m, n, k): tiny (the direct path), around the 6 × 64 tile, across KC = 128, MC = 240 and NC = 2048. */
    private static final int[][] SIZES = {
        {1, 1, 1}, {1, 3, 3}, {3, 1, 17}, {17, 31, 33}, {6, 64, 128}, {31, 65, 129}, {65, 33, 257},
        {257, 17, 31}, {33, 257, 65}, {1, 300, 200}, {250, 2, 300}, {7, 2100, 9},
    };

    @TestFactory
    Stream<DynamicTest> everyTransposeAtEverySize() {
        var tests = new ArrayList<DynamicTest>();
        for (int[] s : SIZES)
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                tests.add(dynamicTest(s[0] + "x" + s[1] + "x" + s[2] + (ta ? " A^T" : "") + (tb ? " B^T" : ""),
                        () -> check(new Case(s[0], s[1], s[2], ta, tb, false, Epilogue.NONE), 1)));
            }
        return tests.stream();
    }

    @Test
    void accumulatesIntoC() {
        for (int[] s : SIZES) check(new Case(s[0], s[1], s[2], false, true, true, Epilogue.NONE), 1);
    }

    @TestFactory
    Stream<DynamicTest> everyEpilogue() {
        var tests = new ArrayList<DynamicTest>();
        for (Activation act : Activation.values())
            for (int[] s : List.of(new int[] {3, 5, 7}, new int[] {65, 70, 140})) {
                int m = s[0], n = s[1], k = s[2];
                float[] cb = Ref.random(n + 2, 7), rb = Ref.random(m + 1, 8);
                // Biases scaled so that sigmoid and tanh see both their flat and their steep parts.
                tests.add(dynamicTest(act + " " + m + "x" + n + "x" + k, () -> {
                    check(new Case(m, n, k, false, false, false, Epilogue.of(act)), 3);
                    check(new Case(m, n, k, true, false, true, Epilogue.of(act).withColBias(cb, 2)), 3);
                    check(new Case(m, n, k, false, true, false, Epilogue.of(act).withRowBias(rb, 1).withColBias(cb, 0)), 3);
                }));
            }
        return tests.stream();
    }

    @Test
    void batchedWithStridesAndABroadcastB() {
        int batch = 3, m = 20, n = 70, k = 33;
        float[] a = Ref.random(batch * m * k + 5, 1), b = Ref.random(batch * k * n, 2);
        for (boolean broadcast : new boolean[] {false, true}) {
            var c = new float[batch * m * n];
            Gemm.multiplyBatched(batch, m, n, k, new Operand(a, 5, k, false), m * k, Operand.of(b, n), broadcast ? 0 : k * n,
                    Operand.of(c, n), m * n, false, Epilogue.NONE);
            for (int t = 0; t < batch; t++) {
                float[] at = slice(a, 5 + t * m * k, m * k), bt = slice(b, broadcast ? 0 : t * k * n, k * n);
                Ref.near(matmul(at, bt, m, k, n), matmul(Ref.abs(at), Ref.abs(bt), m, k, n), c, t * m * n, "item " + t);
            }
        }
    }

    @Test
    void theSameBitsEveryRunAndWithOneThread() {
        int m = 257, n = 190, k = 300;
        float[] a = Ref.random(m * k, 3), b = Ref.random(k * n, 4), bias = Ref.random(n, 5);
        var ep = Epilogue.of(Activation.TANH).withColBias(bias, 0);
        float[] first = new float[m * n], again = new float[m * n], serial = new float[m * n];
        Gemm.multiply(m, n, k, Operand.of(a, k), Operand.of(b, n), Operand.of(first, n), false, ep);
        Gemm.multiply(m, n, k, Operand.of(a, k), Operand.of(b, n), Operand.of(again, n), false, ep);
        Parallel.limited(1, () -> Gemm.multiply(m, n, k, Operand.of(a, k), Operand.of(b, n), Operand.of(serial, n), false, ep));
        Ref.sameBits(first, again, "a second run");
        Ref.sameBits(first, serial, "one thread");
    }

    @Test
    void emptyInnerDimensionGivesTheEpilogueOfZero() {
        var c = new float[] {5, 5, 5, 5};
        var bias = new float[] {1, -2};
        Gemm.multiply(2, 2, 0, Operand.of(new float[0], 0), Operand.of(new float[0], 2), Operand.of(c, 2), false,
                Epilogue.of(Activation.RELU).withColBias(bias, 0));
        assertArrayEquals(new float[] {1, 0, 1, 0}, c);
    }

    /** One product: inputs stored as the transposes say, C offset inside a wider array. */
    private record Case(int m, int n, int k, boolean transA, boolean transB, boolean accumulate, Epilogue epilogue) {}

    private static void check(Case c, long seed) {
        int m = c.m, n = c.n, k = c.k, ldc = n + 3, cOff = 2;
        float[] a = Ref.random(m * k, seed), b = Ref.random(k * n, seed + 1);
        float[] out = Ref.random(cOff + m * ldc, seed + 2), before = out.clone();
        var opA = c.transA ? new Operand(transpose(a, m, k), 0, m, true) : Operand.of(a, k);
        var opB = c.transB ? new Operand(transpose(b, k, n), 0, k, true) : Operand.of(b, n);
        Gemm.multiply(m, n, k, opA, opB, new Operand(out, cOff, ldc, false), c.accumulate, c.epilogue);
        double[] want = matmul(a, b, m, k, n), mag = matmul(Ref.abs(a), Ref.abs(b), m, k, n);
        var e = c.epilogue;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                int at = i * n + j;
                double v = want[at] + (c.accumulate ? before[cOff + i * ldc + j] : 0);
                if (e.colBias() != null) v += e.colBias()[e.colOffset() + j];
                if (e.rowBias() != null) v += e.rowBias()[e.rowOffset() + i];
                want[at] = Ref.activate(e.activation(), v);
                mag[at] += c.accumulate ? Math.abs(before[cOff + i * ldc + j]) : 0;
            }
        var got = new float[m * n];
        for (int i = 0; i < m; i++) System.arraycopy(out, cOff + i * ldc, got, i * n, n);
        Ref.near(want, mag, got, 0, c.toString());
        for (int i = 0; i < m; i++) for (int j = n; j < ldc && cOff + i * ldc + j < out.length; j++)
            assertArrayEquals(new float[] {before[cOff + i * ldc + j]}, new float[] {out[cOff + i * ldc + j]}, "outside C");
    }

    private static double[] matmul(float[] a, float[] b, int m, int k, int n) {
        return Ref.run(Prim.MATMUL, Map.of(), new int[] {m, n}, a, new int[] {m, k}, b, new int[] {k, n});
    }

    private static float[] transpose(float[] v, int rows, int cols) {
        var t = new float[v.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = v[i * cols + j];
        return t;
    }

    private static float[] slice(float[] v, int from, int n) {
        var s = new float[n];
        System.arraycopy(v, from, s, 0, n);
        return s;
    }

    /** The micro-kernel's scalar twin (run while the vector tile is cold) gives its bits exactly, from zero and accumulating. */
    @Test
    void theMicroKernelsScalarTwinGivesTheVectorBits() {
        int mr = MicroKernel.MR, nr = MicroKernel.NR, ldc = nr + 3;
        for (int kc : new int[] {1, 7, 256})
            for (boolean add : new boolean[] {false, true}) {
                float[] a = Ref.random(kc * mr, 11), b = Ref.random(kc * nr, 12), c0 = Ref.random(mr * ldc, 13);
                float[] vector = c0.clone(), scalar = c0.clone();
                MicroKernel.vectorTile(a, 0, b, 0, kc, vector, 0, ldc, add);
                MicroKernel.scalarTile(a, 0, b, 0, kc, scalar, 0, ldc, add);
                SkinnyGemmTest.assertBits(vector, scalar, "kc " + kc + (add ? " accumulating" : ""));
            }
    }

    /**
     * The gathered tile reads A in place through row and k offsets: its twins agree bit for bit,
     * and both give the packed tile's bits for the same A packed; so does the half tile, on its
     * 32 columns.
     */
    @Test
    void theGatheredTilesTwinsGiveThePackedBits() {
        int mr = MicroKernel.MR, nr = MicroKernel.NR, ldc = nr + 3, k0 = 5;
        for (int kc : new int[] {1, 7, 256})
            for (boolean add : new boolean[] {false, true}) {
                float[] x = Ref.random(4096, 21), b = Ref.random(kc * nr, 22), c0 = Ref.random(mr * ldc, 23);
                int[] rows = {2, 900, 17, 3000, 17, 40, 77}, ks = new int[k0 + kc];
                for (int p = 0; p < ks.length; p++) ks[p] = (p * 37) % 1000;
                float[] packed = new float[kc * mr];
                for (int p = 0; p < kc; p++) for (int r = 0; r < mr; r++) packed[p * mr + r] = x[rows[1 + r] + ks[k0 + p]];
                float[] vector = c0.clone(), scalar = c0.clone(), reference = c0.clone();
                MicroKernel.vectorGatheredTile(x, rows, 1, ks, k0, b, 0, kc, vector, 0, ldc, add);
                MicroKernel.scalarGatheredTile(x, rows, 1, ks, k0, b, 0, kc, scalar, 0, ldc, add, mr, nr);
                MicroKernel.vectorTile(packed, 0, b, 0, kc, reference, 0, ldc, add);
                String what = "kc " + kc + (add ? " accumulating" : "");
                SkinnyGemmTest.assertBits(vector, scalar, what);
                SkinnyGemmTest.assertBits(reference, vector, what + ", against the packed tile");
                // the half tile: the first nr / 2 columns of the same, the rest of c untouched
                float[] half = c0.clone(), halfScalar = c0.clone(), want = c0.clone();
                MicroKernel.vectorHalfTile(x, rows, 1, ks, k0, b, 0, kc, half, 0, ldc, add);
                MicroKernel.scalarGatheredTile(x, rows, 1, ks, k0, b, 0, kc, halfScalar, 0, ldc, add, mr, nr / 2);
                for (int r = 0; r < mr; r++) System.arraycopy(reference, r * ldc, want, r * ldc, nr / 2);
                SkinnyGemmTest.assertBits(half, halfScalar, what + ", half");
                SkinnyGemmTest.assertBits(want, half, what + ", half against the packed tile");
            }
    }

    /** The run tile (two runs of six rows at consecutive offsets) gives its twin's bits, and those of two half tiles and of the tall tile over the same rows. */
    @Test
    void theRunTileGivesTwoHalfTilesBits() {
        int run = MicroKernel.RUN, mr = MicroKernel.MR, nr = MicroKernel.NR, ldc = nr / 2 + 5, k0 = 3, first = 41, second = 500;
        int[] rows = new int[run];
        for (int r = 0; r < mr; r++) {
            rows[r] = first + r;
            rows[mr + r] = second + r;
        }
        for (int kc : new int[] {1, 7, 256})
            for (boolean add : new boolean[] {false, true}) {
                float[] x = Ref.random(2048, 24), b = Ref.random(kc * nr, 25), c0 = Ref.random(run * ldc, 26);
                int[] ks = new int[k0 + kc];
                for (int p = 0; p < ks.length; p++) ks[p] = (p * 53) % 1500;
                float[] vector = c0.clone(), scalar = c0.clone(), halves = c0.clone();
                MicroKernel.vectorRunTile(x, first, second, ks, k0, b, 0, kc, vector, 0, ldc, add);
                float[] tall = c0.clone();
                MicroKernel.vectorTallTile(x, rows, 0, ks, k0, b, 0, kc, tall, 0, ldc, add);
                MicroKernel.scalarGatheredTile(x, rows, 0, ks, k0, b, 0, kc, scalar, 0, ldc, add, run, nr / 2);
                MicroKernel.vectorHalfTile(x, rows, 0, ks, k0, b, 0, kc, halves, 0, ldc, add);
                MicroKernel.vectorHalfTile(x, rows, MicroKernel.MR, ks, k0, b, 0, kc, halves, MicroKernel.MR * ldc, ldc, add);
                String what = "kc " + kc + (add ? " accumulating" : "");
                SkinnyGemmTest.assertBits(vector, scalar, what);
                SkinnyGemmTest.assertBits(halves, vector, what + ", against two half tiles");
                SkinnyGemmTest.assertBits(vector, tall, what + ", the tall tile");
            }
    }

    @Test
    void aGatheredProductWritesATransposedCWithTheRowMajorBits() {
        // rows and columns with edges, half tiles (few columns) and whole ones; K within one slice
        for (int[] mnk : new int[][] {{37, 70, 19}, {13, 20, 256}, {6, 64, 1}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            float[] x = Ref.random(m * k + 16, 31), b = Ref.random(k * n, 32);
            int[] rows = new int[m], ks = new int[k];
            for (int i = 0; i < m; i++) rows[i] = i * k;
            for (int p = 0; p < k; p++) ks[p] = p;
            var a = new Gemm.Gathered(x, rows, ks);
            Gemm.ColumnPanels panels = (j0, nc, p0, kc, to, from) -> Packing.packB(Operand.of(b, n), j0, nc, p0, kc, to, from);
            float[] plain = new float[m * n], t = new float[3 + m * n];
            Gemm.multiplyGathered(m, n, k, a, panels, Operand.of(plain, n), false, Epilogue.NONE);
            Gemm.multiplyGathered(m, n, k, a, panels, new Operand(t, 3, m, true), false, Epilogue.NONE);
            float[] back = new float[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) back[i * n + j] = t[3 + j * m + i];
            Ref.sameBits(plain, back, m + " x " + n + " x " + k + " written transposed");
        }
    }
}
