package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The vector exp, sigmoid and tanh that generated kernels use against Math's double results
 * rounded to f32: within 2 ulp of that float (or the smallest normal float of it, below the normal range), the same
 * infinities and NaNs.
 */
class VectorMathTest {
    private static final int L = VectorMath.S.length();

    @Test
    void expSigmoidAndTanhAreWithinTwoUlp() {
        check("exp", VectorMath::exp, Math::exp);
        check("sigmoid", VectorMath::sigmoid, x -> 1 / (1 + Math.exp(-x)));
        check("tanh", VectorMath::tanh, Math::tanh);
    }

    @Test
    void repeatSpreadsEachElementOverKLanes() {
        float[] a = new float[3 * L];
        for (int i = 0; i < a.length; i++) a[i] = i;
        for (int k = 1; k <= L; k++) {
            if (L % k != 0) continue;
            float[] out = new float[L];
            VectorMath.repeat(a, 5, k).intoArray(out, 0);
            for (int i = 0; i < L; i++) assertEquals(5 + i / k, out[i], "k = " + k + ", lane " + i);
            int count = L - 3;
            float[] tail = new float[L];
            VectorMath.repeat(a, a.length - (count + k - 1) / k, k, count).intoArray(tail, 0);
            for (int i = 0; i < count; i++) assertEquals(a.length - (count + k - 1) / k + i / k, tail[i], "tail, k = " + k + ", lane " + i);
        }
    }

    @Test
    void softmaxLinesAreWithinAFewUlpOfTheDoubleComputation() {
        var rng = new SplittableRandom(11);
        for (int n = 1; n <= 3 * L + 3; n++) {
            // a line at an odd offset in an array that ends with it: the masked loads at the end
            float[] a = new float[3 + n];
            for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextDouble(-30, 30);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 3; i < a.length; i++) max = Math.max(max, a[i]);
            assertEquals(max, VectorMath.lineMax(a, 3, n), "max, n = " + n);
            for (int i = 3; i < a.length; i++) sum += Math.exp(a[i] - max);
            float[] p = new float[n + L], lp = new float[n + L];
            VectorMath.softmaxLine(a, 3, n, p);
            VectorMath.logSoftmaxLine(a, 3, n, lp);
            for (int i = 0; i < n; i++) {
                double z = a[3 + i] - max, want = Math.exp(z) / sum, wantLog = z - Math.log(sum);
                // exp within 2 ulp, the sum's and the quotient's roundings
                double relative = 4 * 0x1p-24;
                // below the smallest normal float a probability is 0
                if (want < Float.MIN_NORMAL) assertEquals(0f, p[i], "softmax, n = " + n + ", " + i);
                else assertTrue(Math.abs(p[i] - want) <= relative * want, "softmax, n = " + n + ", " + i + ": " + p[i] + ", want " + want);
                double logError = Math.ulp((float) z) + 2 * Math.ulp((float) wantLog);
                assertTrue(Math.abs(lp[i] - wantLog) <= logError,
                        "log_softmax, n = " + n + ", " + i + ": " + lp[i] + ", want " + wantLog);
            }
            float[] again = new float[n + L];
            VectorMath.softmaxLine(a, 3, n, again);
            assertArrayEquals(p, again, "the same line again");
            // in place, as a kernel computes a line into its scratch first
            float[] in = java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(a, 3, 3 + n), n + L);
            VectorMath.softmaxLine(in, 0, n, in);
            assertArrayEquals(p, in, "in place");
        }
        assertEquals(Double.NEGATIVE_INFINITY, VectorMath.lineMax(new float[4], 1, 0));
        assertEquals(0.0, VectorMath.lineMax(new float[] {-0f, 0f, -0f}, 0, 3));
        assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(VectorMath.lineMax(new float[] {-0f, -0f}, 0, 2)));
        assertTrue(Double.isNaN(VectorMath.lineMax(new float[] {1f, Float.NaN, 3f}, 0, 3)));
        // as the scalar line: e^(-inf - -inf) and e^(inf - inf) are NaN
        float[] out = new float[2 + L];
        VectorMath.softmaxLine(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 0, 2, out);
        assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[1]));
        VectorMath.softmaxLine(new float[] {Float.POSITIVE_INFINITY, 1f}, 0, 2, out);
        assertTrue(Float.isNaN(out[0]));
        // a masked score (-1e9) has weight 0, not the subnormal that e^-87 / 2 would be
        VectorMath.softmaxLine(new float[] {0f, -1e9f, 0f}, 0, 3, out);
        assertEquals(0.5f, out[0]);
        assertEquals(0f, out[1]);
    }

    @Test
    void argLinesFindTheFirstBestAsTheScalarLoopDoes() {
        var rng = new SplittableRandom(12);
        float[] pool = {-0f, 0f, 1f, 2f, -3f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int trial = 0; trial < 4000; trial++) {
            int n = rng.nextInt(3 * L + 4);
            float[] a = new float[2 + n];
            // few distinct values: ties, signed zeros, infinities, and now and then a NaN
            for (int i = 0; i < a.length; i++) a[i] = pool[rng.nextInt(trial % 3 == 0 ? pool.length : 5)];
            for (boolean max : new boolean[] {true, false}) {
                int want = scalarArg(a, 2, n, max);
                int got = max ? VectorMath.lineArgmax(a, 2, n) : VectorMath.lineArgmin(a, 2, n);
                assertEquals(want, got, (max ? "argmax" : "argmin") + " of " + java.util.Arrays.toString(a) + " from 2");
            }
        }
    }

    /** The interpreter's loop: the first best, strictly compared; a NaN is best and ends the search. */
    private static int scalarArg(float[] a, int off, int n, boolean max) {
        int best = 0;
        double bv = 0;
        for (int r = 0; r < n; r++) {
            double x = a[off + r];
            if (r == 0) bv = x;
            else if (!Double.isNaN(bv) && (Double.isNaN(x) || (max ? x > bv : x < bv))) {
                best = r;
                bv = x;
            }
        }
        return best;
    }

    @Test
    void transpose16MovesEveryElementToItsMirror() {
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorMath.TRANSPOSE16, "vectors of 16 floats only");
        int lds = 37, ldd = 21, so = 5, doff = 3;
        float[] src = new float[so + 15 * lds + 16], dst = new float[doff + 15 * ldd + 16];
        for (int i = 0; i < src.length; i++) src[i] = i;
        java.util.Arrays.fill(dst, -1f);
        VectorMath.transpose16(src, so, lds, dst, doff, ldd);
        for (int r = 0; r < 16; r++)
            for (int c = 0; c < 16; c++) assertEquals(src[so + r * lds + c], dst[doff + c * ldd + r], "row " + r + ", column " + c);
        for (int i = 0; i < doff; i++) assertEquals(-1f, dst[i], "before the block");
    }

    @Test
    void oneHotMarksTheLabelsLaneOnly() {
        float[] out = new float[L];
        for (long base : new long[] {0, 3, L}) {
            for (double label : new double[] {-100, -1, 0, 2, 5, L - 1, L, L + 2, 1e9}) {
                VectorMath.oneHot(label, base).intoArray(out, 0);
                for (int i = 0; i < L; i++) assertEquals(base + i == label ? 1f : 0f, out[i], "label " + label + ", base " + base + ", lane " + i);
            }
        }
    }

    private static void check(String name, UnaryOperator<FloatVector> vector, DoubleUnaryOperator exact) {
        var rng = new SplittableRandom(7);
        float[] xs = new float[64 * L];
        float[] special = {0f, -0f, 1e-8f, -1e-8f, 0.625f, -0.625f, 0.6249999f, 20f, -20f, 88f, 88.72f, 88.73f, 89f, -87.3f, -87.4f, -100f, 100f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE};
        System.arraycopy(special, 0, xs, 0, special.length);
        for (int i = special.length; i < xs.length; i++) xs[i] = (float) (i % 3 == 0 ? rng.nextDouble(-1, 1) : rng.nextDouble(-90, 90));
        float[] ys = new float[xs.length];
        for (int i = 0; i < xs.length; i += L) vector.apply(FloatVector.fromArray(VectorMath.S, xs, i)).intoArray(ys, i);
        for (int i = 0; i < xs.length; i++) {
            float want = (float) exact.applyAsDouble(xs[i]), got = ys[i];
            String at = name + "(" + xs[i] + ")";
            if (Float.isNaN(want) || Float.isInfinite(want)) {
                assertEquals(want, got, at);
                continue;
            }
            double err = Math.abs((double) got - want);
            assertTrue(err <= 2 * Math.ulp(want) || err <= Float.MIN_NORMAL, at + " = " + got + ", want " + want);
        }
    }
}
