package dev.dlc.exec.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, sigmoid and tanh on float vectors, from adds, multiplies, fmas and one divide (Cephes'
 * expf and tanhf polynomials, within 2 ulp). Not {@code lanewise(EXP)}: the JIT computes that
 * with SVML and the interpreter with {@code Math.exp}, which differ in the last bit, so a
 * result would change when its kernel got compiled. These operations round the same everywhere.
 */
public final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Per k (a divisor of the vector length): the first length/k lanes, and lane i taking lane i / k. */
    private static final VectorMask<Float>[] HEAD;
    private static final VectorShuffle<Float>[] SPREAD;

    static {
        int n = S.length();
        @SuppressWarnings("unchecked") VectorMask<Float>[] head = new VectorMask[n + 1];
        @SuppressWarnings("unchecked") VectorShuffle<Float>[] spread = new VectorShuffle[n + 1];
        for (int k = 1; k <= n; k++) {
            if (n % k != 0) continue;
            head[k] = S.indexInRange(0, n / k);
            int kk = k;
            spread[k] = VectorShuffle.fromOp(S, i -> i / kk);
        }
        HEAD = head;
        SPREAD = spread;
    }

    /**
     * Lane i holds {@code a[offset + i / k]}: the length/k elements from offset, each repeated k
     * times (one masked load and one permute). Generated code calls this for an upsampling read.
     */
    public static FloatVector repeat(float[] a, int offset, int k) {
        return FloatVector.fromArray(S, a, offset, HEAD[k]).rearrange(SPREAD[k]);
    }

    /** {@link #repeat} for the first {@code count} lanes only (a loop's tail): reads no element past them. */
    public static FloatVector repeat(float[] a, int offset, int k, int count) {
        return FloatVector.fromArray(S, a, offset, S.indexInRange(0, (count + k - 1) / k)).rearrange(SPREAD[k]);
    }

    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final float LOG2E = 1.44269504088896341f;
    // ln 2 split in two: n·LN2_HI is exact for the |n| <= 128 that occur.
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    // Clamped so that -126 <= n <= 128; 2^n is applied as two normal factors (2^128 is not a float).
    private static final float EXP_MAX = 88.72283f, EXP_MIN = -87.3365447504019f;
    // Adding then subtracting 1.5·2^23 rounds a float of magnitude below 2^22 to the nearest integer.
    private static final float ROUND = 12582912f;

    /** Above this e^x is past the largest float: +inf, as Math.exp rounded to f32 gives. */
    private static final float EXP_OVERFLOW = 88.72284f;

    /**
     * e^x: x = n·ln2 + r with |r| <= ln2/2, e^r by a degree-7 polynomial, then 2^n by the
     * exponent bits; +inf past the float range, and about the smallest normal float (not a
     * subnormal) below it.
     */
    public static FloatVector exp(FloatVector x) {
        VectorMask<Float> overflow = x.compare(VectorOperators.GT, EXP_OVERFLOW);
        return finiteExp(x).blend(Float.POSITIVE_INFINITY, overflow);
    }

    private static FloatVector finiteExp(FloatVector x) {
        x = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector n = x.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector p = expOfRemainder(x, n);
        IntVector whole = (IntVector) n.convert(VectorOperators.F2I, 0), half = whole.lanewise(VectorOperators.ASHR, 1);
        FloatVector low = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector high = whole.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(low).mul(high);
    }

    /** e^r for r = x - n·ln2 (ln 2 in two parts), |r| <= ln2/2: 1 + r + r²·(a degree-5 polynomial). */
    private static FloatVector expOfRemainder(FloatVector x, FloatVector n) {
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        p = p.mul(r.mul(r)).add(r).add(1f);
        return p;
    }

    /** The rounding constant plus the exponent bias: its float's low bits are n + 127 once x·log2e is added. */
    private static final float ROUND_BIASED = ROUND + 127f;

    /**
     * e^x for x clamped to ±EXP_MIN (|n| <= 126): {@link #finiteExp} with 2^n one normal
     * factor, whose exponent bits are those of x·log2e + 1.5·2^23 + 127 shifted up 23 places
     * (that sum's mantissa ends in n + 127), with no float-to-int conversion (Java's
     * saturating cast is several instructions). Sigmoid and tanh need no more range: 1 / (1 +
     * e^87.34) is the smallest normal float. Measured, 16 lanes: sigmoid 9.6 -> 7.4 ns a vector.
     */
    private static FloatVector boundedExp(FloatVector x) {
        x = x.max(EXP_MIN).min(-EXP_MIN);
        FloatVector t = x.fma(LOG2E, ROUND_BIASED);
        FloatVector n = t.sub(ROUND_BIASED);
        FloatVector p = expOfRemainder(x, n);
        return p.mul(((IntVector) t.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /**
     * 1 / (1 + e^-x): saturates to 1 and, below x = -87.34, to the smallest normal float (e^-x
     * is clamped), never a subnormal, which would slow what reads it.
     */
    public static FloatVector sigmoid(FloatVector x) {
        return ONE.div(boundedExp(x.neg()).add(1f));
    }

    /**
     * tanh: an odd polynomial below |x| = 0.625, where 1 - 2/(e^2|x| + 1) would cancel; that
     * formula with x's sign above it.
     */
    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector small = z.fma(-5.70498872745e-3f, 2.06390887954e-2f);
        small = small.fma(z, FloatVector.broadcast(S, -5.37397155531e-2f));
        small = small.fma(z, FloatVector.broadcast(S, 1.33314422036e-1f));
        small = small.fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
        small = small.mul(z).fma(x, x);
        FloatVector large = ONE.div(boundedExp(ax.add(ax)).add(1f)).fma(-2f, 1f);
        large = large.blend(large.neg(), x.lt(0f));
        return large.blend(small, ax.lt(0.625f));
    }

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    /** Lane i holds i. */
    private static final FloatVector IOTA = FloatVector.zero(S).addIndex(1);

    /**
     * Lane i is 1 where {@code base + i == label}, else 0: a one-hot row's vector from class
     * {@code base}. The label is compared as a lane number, exact in f32 for the lanes there are
     * (a label outside them, -100 or 10^9, matches none).
     */
    public static FloatVector oneHot(double label, long base) {
        double lane = label - base;
        float at = lane >= 0 && lane < S.length() ? (float) lane : -1f;
        return FloatVector.zero(S).blend(ONE, IOTA.compare(VectorOperators.EQ, at));
    }

    /**
     * The largest of the n floats from {@code a[off]}: what {@code Math.max} over them in
     * doubles gives, NaN and signed zeros included (max is exact, and its order does not matter);
     * -inf for n = 0. A softmax line's max, in vectors when the line is contiguous.
     */
    public static double lineMax(float[] a, int off, int n) {
        int L = S.length(), i = 0;
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; i <= n - L; i += L) acc = acc.max(FloatVector.fromArray(S, a, off + i));
        if (i < n) {
            VectorMask<Float> tail = S.indexInRange(i, n);
            acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, a, off + i, tail), tail);
        }
        return acc.reduceLanes(VectorOperators.MAX);
    }

    /** The smallest of the n floats from {@code a[off]}, as {@link #lineMax} the largest; +inf for n = 0. */
    private static float lineMin(float[] a, int off, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
        for (int i = 0; i < n; i += S.length()) {
            VectorMask<Float> in = S.indexInRange(i, n);
            acc = acc.lanewise(VectorOperators.MIN, FloatVector.fromArray(S, a, off + i, in), in);
        }
        return acc.reduceLanes(VectorOperators.MIN);
    }

    /**
     * The first i < n where a[off + i] is the line's largest float (smallest for argmin), a NaN
     * counting as the best: the reference's argmax, whose strict comparison keeps the first of
     * equal values (-0 and 0 are equal) and which stops at the first NaN; 0 for n = 0. A
     * transformer's token accuracy over 1000 classes took 1.1 ms a step in scalars.
     */
    public static int lineArgmax(float[] a, int off, int n) { return lineArg(a, off, n, true); }

    public static int lineArgmin(float[] a, int off, int n) { return lineArg(a, off, n, false); }

    private static int lineArg(float[] a, int off, int n, boolean max) {
        if (n == 0) return 0;
        // constant operators only: one chosen at run time is not intrinsified, and boxes
        float best = max ? (float) lineMax(a, off, n) : lineMin(a, off, n);
        // NaN lanes count only when the best is NaN (which equals nothing): no mask chosen at run time
        VectorMask<Float> nan = S.maskAll(Float.isNaN(best));
        for (int i = 0; i < n; i += S.length()) {
            VectorMask<Float> in = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, a, off + i, in);
            VectorMask<Float> hit = v.compare(VectorOperators.EQ, best).or(v.test(VectorOperators.IS_NAN).and(nan)).and(in);
            if (hit.anyTrue()) return i + hit.firstTrue();
        }
        return 0;
    }

    /**
     * softmax of the n floats from {@code src[off]}, into
     * {@code dst[0, n)} ({@code dst} may be {@code src} at offset 0; it has a vector's room past
     * n). With m the line's max, each e^(x - m) is {@link #exp} of the f32 difference (as
     * PyTorch's vector softmax takes it); the terms are summed in double lanes (lane j takes the
     * terms at j modulo the vector length) that are then added in a fixed pairwise tree of
     * lanewise adds: the same order whatever the JIT did, unlike {@code reduceLanes(ADD)}.
     * softmax is then e / Σ in f32.
     *
     * <p>A probability below the smallest normal float is 0: exp stops at about that float, so a
     * masked score's weight (e^(-10^9 - m)) would be a subnormal after the division, where the
     * reference has 0, and every product with a subnormal costs a microcode assist (a
     * transformer's attention weights times its values, [10, 10] × [10, 8] 256 times at batch
     * 64, took 280 µs instead of 30).
     *
     * <p>x - m rounded to f32 is off by up to ulp(x - m) / 2, which exp turns into |x - m|·2^-24
     * relative (1e-6 at x - m = -20): the rounding, exact by TwoSum, goes back in (attention at
     * batch 2 under Adam amplified it past the backends' agreement).
     *
     * <p>Everything that takes or gives a vector is written out here but exp (the sum's lane tree
     * too, as in {@link #logSoftmaxLine}), and the method is past C2's size for inlining a hot
     * method (FreqInlineSize, 325 bytes): compiled on its own, it has the node budget to inline
     * exp. Inlined into a kernel, C2 ran out of nodes and left calls that box their vectors (an
     * allocation per vector op): a transformer's attention softmax, lines of 10, took 0.55 ms
     * instead of 0.1.
     */
    public static void softmaxLine(float[] src, int off, int n, float[] dst) {
        int L = S.length();
        float m = (float) lineMax(src, off, n);
        FloatVector max = FloatVector.broadcast(S, m), negMax = FloatVector.broadcast(S, -m);
        DoubleVector low = DoubleVector.zero(D), high = low;
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> in = S.indexInRange(i, n);
            // x - m - d exactly (TwoSum), put back as e^(d + err) = e^d·(1 + err) where e^d is
            // a normal float (err is 0 past that and for infinite x)
            FloatVector x = FloatVector.fromArray(S, src, off + i, in), d = x.sub(max), back = d.sub(x);
            FloatVector err = x.sub(d.sub(back)).add(negMax.sub(back));
            err = err.blend(0f, d.compare(VectorOperators.LT, EXP_MIN).or(err.test(VectorOperators.IS_NAN)));
            FloatVector e = exp(d);
            e = FloatVector.zero(S).blend(e.fma(err, e), in);
            e.intoArray(dst, i, in);
            low = low.add((DoubleVector) e.convertShape(VectorOperators.F2D, D, 0));
            high = high.add((DoubleVector) e.convertShape(VectorOperators.F2D, D, 1));
        }
        DoubleVector t = low.add(high);
        double total = 0;
        if (D.length() == 8 || D.length() == 4) {
            if (D.length() == 8) t = t.add(t.rearrange(X4));
            t = t.add(t.rearrange(X2));
            total = t.add(t.rearrange(X1)).lane(0);
        } else for (int j = 0; j < D.length(); j++) total += t.lane(j);
        float sum = (float) total;
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> in = S.indexInRange(i, n);
            FloatVector p = FloatVector.fromArray(S, dst, i, in).div(sum);
            p.blend(0f, p.compare(VectorOperators.LT, Float.MIN_NORMAL)).intoArray(dst, i, in);
        }
    }

    /**
     * log_softmax as {@link #softmaxLine} takes softmax: (x - m) - log Σ, rounded twice in f32
     * (the first rounding not put back: within an ulp of the result's magnitude). A method of its
     * own, not a flag of softmaxLine: with both in one method C2 ran out of nodes compiling it
     * and boxed the vectors of the path it did not inline.
     */
    public static void logSoftmaxLine(float[] src, int off, int n, float[] dst) {
        int L = S.length();
        float m = (float) lineMax(src, off, n);
        FloatVector max = FloatVector.broadcast(S, m), negMax = FloatVector.broadcast(S, -m);
        DoubleVector low = DoubleVector.zero(D), high = low;
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> in = S.indexInRange(i, n);
            // x - m - d exactly (TwoSum), put back as e^(d + err) = e^d·(1 + err) where e^d is
            // a normal float (err is 0 past that and for infinite x)
            FloatVector x = FloatVector.fromArray(S, src, off + i, in), d = x.sub(max), back = d.sub(x);
            FloatVector err = x.sub(d.sub(back)).add(negMax.sub(back));
            err = err.blend(0f, d.compare(VectorOperators.LT, EXP_MIN).or(err.test(VectorOperators.IS_NAN)));
            FloatVector e = exp(d);
            e = FloatVector.zero(S).blend(e.fma(err, e), in);
            low = low.add((DoubleVector) e.convertShape(VectorOperators.F2D, D, 0));
            high = high.add((DoubleVector) e.convertShape(VectorOperators.F2D, D, 1));
        }
        DoubleVector t = low.add(high);
        double total = 0;
        if (D.length() == 8 || D.length() == 4) {
            if (D.length() == 8) t = t.add(t.rearrange(X4));
            t = t.add(t.rearrange(X2));
            total = t.add(t.rearrange(X1)).lane(0);
        } else for (int j = 0; j < D.length(); j++) total += t.lane(j);
        float ls = (float) Math.log(total);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> in = S.indexInRange(i, n);
            FloatVector.fromArray(S, src, off + i, in).sub(max).sub(ls).intoArray(dst, i, in);
        }
    }

    /** Lane j + k for k = 4, 2, 1: a pairwise tree of lanewise adds. */
    private static final VectorShuffle<Double> X4 = xor(4), X2 = xor(2), X1 = xor(1);

    private static VectorShuffle<Double> xor(int k) { return VectorShuffle.fromOp(D, i -> (i ^ k) % D.length()); }

    // ------------------------------------------------------------------ transposes

    /** Whether {@link #transpose16} runs here: vectors of 16 floats. */
    static final boolean TRANSPOSE16 = S.length() == 16;

    /**
     * The lanes a stage of {@link #transpose16} takes from its two rows, a and b (lanes 16..31
     * are b's): for stage k, the first output holds a's lanes with bit k clear and b's shifted
     * up by k into the others, the second a's lanes with bit k set shifted down and b's.
     */
    private static FloatVector stage(int k, boolean first) {
        float[] idx = new float[S.length()];
        for (int l = 0; l < idx.length; l++)
            idx[l] = (l & k) == 0 ? (first ? l : l + k) : (first ? idx.length + l - k : idx.length + l);
        return FloatVector.fromArray(S, idx, 0);
    }

    private static final FloatVector LO8 = stage(8, true), HI8 = stage(8, false), LO4 = stage(4, true), HI4 = stage(4, false),
            LO2 = stage(2, true), HI2 = stage(2, false), LO1 = stage(1, true), HI1 = stage(1, false);

    /**
     * {@code dst[doff + c·ldd + r] = src[so + r·lds + c]} for r < rows, c < cols, in 16 × 16
     * blocks, so that both sides touch a few cache lines at a time (element by element, the
     * strided side missed on every write: ResNet-18's 512-channel weight gradient spent half
     * its time scattering its product). Whole blocks go through {@link #transposeBlock}
     * ([4608, 512]: 1.8 ms in scalars, 0.95 in vectors). A convolution's product, a GEMM's
     * transposed B panels and the pools' planes turned into lanes use it.
     */
    static void transpose(float[] src, int so, int rows, int cols, int lds, float[] dst, int doff, int ldd) {
        final int b = BLOCK;
        for (int r0 = 0; r0 < rows; r0 += b)
            for (int c0 = 0; c0 < cols; c0 += b) {
                int r1 = Math.min(rows, r0 + b), c1 = Math.min(cols, c0 + b);
                int s = so + r0 * lds + c0, d = doff + c0 * ldd + r0;
                if (r1 - r0 == b && c1 - c0 == b) transposeBlock(src, s, lds, dst, d, ldd);
                else scalarTranspose(src, s, r1 - r0, c1 - c0, lds, dst, d, ldd);
            }
    }

    /** The side of {@link #transpose}'s blocks: a ragged one goes element by element. */
    static final int BLOCK = 16;

    /** {@link #transpose} of one block of at most 16 × 16, element by element. */
    private static void scalarTranspose(float[] src, int so, int rows, int cols, int lds, float[] dst, int doff, int ldd) {
        for (int c = 0; c < cols; c++)
            for (int r = 0; r < rows; r++) dst[doff + c * ldd + r] = src[so + r * lds + c];
    }

    /** Until {@link #transpose16} is seen running compiled, blocks go to {@link #scalarTranspose16} (see {@link Warming}). */
    private static final Warming TRANSPOSE_WARMING = new Warming("transpose");

    /** {@link #transpose16}'s copy: in vectors where they are 16 floats and run compiled, else element by element. */
    static void transposeBlock(float[] src, int so, int lds, float[] dst, int doff, int ldd) {
        if (!TRANSPOSE16) {
            scalarTranspose16(src, so, lds, dst, doff, ldd);
            return;
        }
        long t0 = TRANSPOSE_WARMING.start();
        if (t0 == 0) {
            scalarTranspose16(src, so, lds, dst, doff, ldd);
            return;
        }
        transpose16(src, so, lds, dst, doff, ldd);
        // compiled, a block takes tens of nanoseconds; boxed, tens of microseconds
        TRANSPOSE_WARMING.timed(t0, 2_000);
    }

    /** {@link #transpose16} one element at a time. */
    static void scalarTranspose16(float[] src, int so, int lds, float[] dst, int doff, int ldd) {
        scalarTranspose(src, so, 16, 16, lds, dst, doff, ldd);
    }

    /**
     * {@code dst[doff + c·ldd + r] = src[so + r·lds + c]} for r, c < 16 (only where
     * {@link #TRANSPOSE16}): 16 rows loaded, four stages of two-table selects (each pairs rows
     * k apart, k = 8, 4, 2, 1, and swaps their off-diagonal k × k blocks), 16 rows stored. 64
     * selects for 256 floats, where element by element each is a load and a store to another
     * cache line.
     */
    static void transpose16(float[] src, int so, int lds, float[] dst, int doff, int ldd) {
        FloatVector r0 = FloatVector.fromArray(S, src, so), r1 = FloatVector.fromArray(S, src, so + 1 * lds), r2 = FloatVector.fromArray(S, src, so + 2 * lds), r3 = FloatVector.fromArray(S, src, so + 3 * lds);
        FloatVector r4 = FloatVector.fromArray(S, src, so + 4 * lds), r5 = FloatVector.fromArray(S, src, so + 5 * lds), r6 = FloatVector.fromArray(S, src, so + 6 * lds), r7 = FloatVector.fromArray(S, src, so + 7 * lds);
        FloatVector r8 = FloatVector.fromArray(S, src, so + 8 * lds), r9 = FloatVector.fromArray(S, src, so + 9 * lds), r10 = FloatVector.fromArray(S, src, so + 10 * lds), r11 = FloatVector.fromArray(S, src, so + 11 * lds);
        FloatVector r12 = FloatVector.fromArray(S, src, so + 12 * lds), r13 = FloatVector.fromArray(S, src, so + 13 * lds), r14 = FloatVector.fromArray(S, src, so + 14 * lds), r15 = FloatVector.fromArray(S, src, so + 15 * lds);
        FloatVector a0 = LO8.selectFrom(r0, r8), a8 = HI8.selectFrom(r0, r8), a1 = LO8.selectFrom(r1, r9), a9 = HI8.selectFrom(r1, r9);
        FloatVector a2 = LO8.selectFrom(r2, r10), a10 = HI8.selectFrom(r2, r10), a3 = LO8.selectFrom(r3, r11), a11 = HI8.selectFrom(r3, r11);
        FloatVector a4 = LO8.selectFrom(r4, r12), a12 = HI8.selectFrom(r4, r12), a5 = LO8.selectFrom(r5, r13), a13 = HI8.selectFrom(r5, r13);
        FloatVector a6 = LO8.selectFrom(r6, r14), a14 = HI8.selectFrom(r6, r14), a7 = LO8.selectFrom(r7, r15), a15 = HI8.selectFrom(r7, r15);
        FloatVector b0 = LO4.selectFrom(a0, a4), b4 = HI4.selectFrom(a0, a4), b1 = LO4.selectFrom(a1, a5), b5 = HI4.selectFrom(a1, a5);
        FloatVector b2 = LO4.selectFrom(a2, a6), b6 = HI4.selectFrom(a2, a6), b3 = LO4.selectFrom(a3, a7), b7 = HI4.selectFrom(a3, a7);
        FloatVector b8 = LO4.selectFrom(a8, a12), b12 = HI4.selectFrom(a8, a12), b9 = LO4.selectFrom(a9, a13), b13 = HI4.selectFrom(a9, a13);
        FloatVector b10 = LO4.selectFrom(a10, a14), b14 = HI4.selectFrom(a10, a14), b11 = LO4.selectFrom(a11, a15), b15 = HI4.selectFrom(a11, a15);
        FloatVector c0 = LO2.selectFrom(b0, b2), c2 = HI2.selectFrom(b0, b2), c1 = LO2.selectFrom(b1, b3), c3 = HI2.selectFrom(b1, b3);
        FloatVector c4 = LO2.selectFrom(b4, b6), c6 = HI2.selectFrom(b4, b6), c5 = LO2.selectFrom(b5, b7), c7 = HI2.selectFrom(b5, b7);
        FloatVector c8 = LO2.selectFrom(b8, b10), c10 = HI2.selectFrom(b8, b10), c9 = LO2.selectFrom(b9, b11), c11 = HI2.selectFrom(b9, b11);
        FloatVector c12 = LO2.selectFrom(b12, b14), c14 = HI2.selectFrom(b12, b14), c13 = LO2.selectFrom(b13, b15), c15 = HI2.selectFrom(b13, b15);
        FloatVector d0 = LO1.selectFrom(c0, c1), d1 = HI1.selectFrom(c0, c1), d2 = LO1.selectFrom(c2, c3), d3 = HI1.selectFrom(c2, c3);
        FloatVector d4 = LO1.selectFrom(c4, c5), d5 = HI1.selectFrom(c4, c5), d6 = LO1.selectFrom(c6, c7), d7 = HI1.selectFrom(c6, c7);
        FloatVector d8 = LO1.selectFrom(c8, c9), d9 = HI1.selectFrom(c8, c9), d10 = LO1.selectFrom(c10, c11), d11 = HI1.selectFrom(c10, c11);
        FloatVector d12 = LO1.selectFrom(c12, c13), d13 = HI1.selectFrom(c12, c13), d14 = LO1.selectFrom(c14, c15), d15 = HI1.selectFrom(c14, c15);
        d0.intoArray(dst, doff);
        d1.intoArray(dst, doff + 1 * ldd);
        d2.intoArray(dst, doff + 2 * ldd);
        d3.intoArray(dst, doff + 3 * ldd);
        d4.intoArray(dst, doff + 4 * ldd);
        d5.intoArray(dst, doff + 5 * ldd);
        d6.intoArray(dst, doff + 6 * ldd);
        d7.intoArray(dst, doff + 7 * ldd);
        d8.intoArray(dst, doff + 8 * ldd);
        d9.intoArray(dst, doff + 9 * ldd);
        d10.intoArray(dst, doff + 10 * ldd);
        d11.intoArray(dst, doff + 11 * ldd);
        d12.intoArray(dst, doff + 12 * ldd);
        d13.intoArray(dst, doff + 13 * ldd);
        d14.intoArray(dst, doff + 14 * ldd);
        d15.intoArray(dst, doff + 15 * ldd);
    }
}
