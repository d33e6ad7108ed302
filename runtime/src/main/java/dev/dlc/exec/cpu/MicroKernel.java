package dev.dlc.exec.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM's inner loop: an MR × NR tile of C (6 rows × 4 vectors: 6 × 64 floats with
 * AVX-512) kept in 24 vector registers while it sums kc rank-1 updates from packed panels.
 * Each step loads four vectors of B's panel and broadcasts six values of A's, for 24 fmas;
 * 24 accumulators, 4 B vectors and one broadcast fit AVX-512's 32 registers without spilling.
 *
 * <p>Every element's sum starts from C's element (or zero) and runs over its panel's k in
 * order: the order depends on the blocking only, never on threads or on where the tile lies.
 */
final class MicroKernel {
    private MicroKernel() {}

    static final VectorSpecies<Float> S = VectorMath.S;
    static final int L = S.length();
    static final int MR = 6;
    static final int NR = 4 * L;

    /** Until the vector tile is seen running compiled, tiles go to {@link #scalarTile} (see {@link Warming}). */
    private static final Warming WARMING = new Warming("gemm tile");

    /**
     * {@code c[r][j] (= | +=) Σ_p a[ao + p·MR + r] · b[bo + p·NR + j]} for r < MR, j < NR, with
     * c's row r at {@code co + r·ldc}.
     */
    static void tile(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, boolean add) {
        long t0 = WARMING.start();
        if (t0 == 0) {
            scalarTile(a, ao, b, bo, kc, c, co, ldc, add);
            return;
        }
        vectorTile(a, ao, b, bo, kc, c, co, ldc, add);
        // compiled: a p step's 24 fmas take a few nanoseconds; boxed, a microsecond or more
        WARMING.timed(t0, 40L * kc);
    }

    /**
     * {@link #vectorTile}'s sums, one element at a time: each starts from C's element (or zero)
     * and adds its products over p in order with one fma each, as every lane of the vector tile
     * does, so the two give the same bits.
     */
    static void scalarTile(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, boolean add) {
        float[] acc = new float[NR];
        for (int r = 0; r < MR; r++) {
            int row = co + r * ldc;
            for (int j = 0; j < NR; j++) acc[j] = add ? c[row + j] : 0f;
            for (int p = 0; p < kc; p++) {
                float x = a[ao + p * MR + r];
                int bi = bo + p * NR;
                for (int j = 0; j < NR; j++) acc[j] = Math.fma(x, b[bi + j], acc[j]);
            }
            System.arraycopy(acc, 0, c, row, NR);
        }
    }

    /**
     * {@link #tile} with vectors. Written out by hand, without helper calls: a call the JIT
     * declined to inline (this method is near its size limit) would box the 24 accumulators.
     */
    static void vectorTile(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        int r0 = co, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        FloatVector c00 = add ? FloatVector.fromArray(S, c, r0) : z, c01 = add ? FloatVector.fromArray(S, c, r0 + L) : z, c02 = add ? FloatVector.fromArray(S, c, r0 + 2 * L) : z, c03 = add ? FloatVector.fromArray(S, c, r0 + 3 * L) : z;
        FloatVector c10 = add ? FloatVector.fromArray(S, c, r1) : z, c11 = add ? FloatVector.fromArray(S, c, r1 + L) : z, c12 = add ? FloatVector.fromArray(S, c, r1 + 2 * L) : z, c13 = add ? FloatVector.fromArray(S, c, r1 + 3 * L) : z;
        FloatVector c20 = add ? FloatVector.fromArray(S, c, r2) : z, c21 = add ? FloatVector.fromArray(S, c, r2 + L) : z, c22 = add ? FloatVector.fromArray(S, c, r2 + 2 * L) : z, c23 = add ? FloatVector.fromArray(S, c, r2 + 3 * L) : z;
        FloatVector c30 = add ? FloatVector.fromArray(S, c, r3) : z, c31 = add ? FloatVector.fromArray(S, c, r3 + L) : z, c32 = add ? FloatVector.fromArray(S, c, r3 + 2 * L) : z, c33 = add ? FloatVector.fromArray(S, c, r3 + 3 * L) : z;
        FloatVector c40 = add ? FloatVector.fromArray(S, c, r4) : z, c41 = add ? FloatVector.fromArray(S, c, r4 + L) : z, c42 = add ? FloatVector.fromArray(S, c, r4 + 2 * L) : z, c43 = add ? FloatVector.fromArray(S, c, r4 + 3 * L) : z;
        FloatVector c50 = add ? FloatVector.fromArray(S, c, r5) : z, c51 = add ? FloatVector.fromArray(S, c, r5 + L) : z, c52 = add ? FloatVector.fromArray(S, c, r5 + 2 * L) : z, c53 = add ? FloatVector.fromArray(S, c, r5 + 3 * L) : z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR, ai = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L), b3 = FloatVector.fromArray(S, b, bi + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L); c02.intoArray(c, r0 + 2 * L); c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L); c12.intoArray(c, r1 + 2 * L); c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L); c22.intoArray(c, r2 + 2 * L); c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L); c32.intoArray(c, r3 + 2 * L); c33.intoArray(c, r3 + 3 * L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L); c42.intoArray(c, r4 + 2 * L); c43.intoArray(c, r4 + 3 * L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L); c52.intoArray(c, r5 + 2 * L); c53.intoArray(c, r5 + 3 * L);
    }

    /** Until the gathered tile is seen running compiled, tiles go to {@link #scalarGatheredTile}. */
    private static final Warming GATHERED_WARMING = new Warming("gathered gemm tile");

    /**
     * {@link #tile} with A read in place: row r of the tile, element p, is
     * {@code x[rows[ri + r] + ks[k0 + p]]}. A convolution's window matrix is such an operand (a
     * row's offset is its window's start in the padded input, a k's offset its tap's), so no A
     * panel is packed: packing each window element with its own index arithmetic cost more than
     * the product itself on ResNet-18's layers (1.2-2.8 ns an element against 128 flops each). A
     * broadcast from any address costs what one from a panel does; the offset of k is one int
     * load for 24 fmas.
     */
    static void gatheredTile(float[] x, int[] rows, int ri, int[] ks, int k0, float[] b, int bo, int kc,
                             float[] c, int co, int ldc, boolean add) {
        long t0 = GATHERED_WARMING.start();
        if (t0 == 0) {
            scalarGatheredTile(x, rows, ri, ks, k0, b, bo, kc, c, co, ldc, add, MR, NR);
            return;
        }
        vectorGatheredTile(x, rows, ri, ks, k0, b, bo, kc, c, co, ldc, add);
        GATHERED_WARMING.timed(t0, 40L * kc);
    }

    /**
     * {@link #vectorGatheredTile}'s sums (or, {@code width} = NR / 2, {@link #vectorHalfTile}'s;
     * {@code height} = RUN too, {@link #vectorRunTile}'s) one element at a time, in its order:
     * the same bits.
     */
    static void scalarGatheredTile(float[] x, int[] rows, int ri, int[] ks, int k0, float[] b, int bo, int kc,
                                   float[] c, int co, int ldc, boolean add, int height, int width) {
        float[] acc = new float[width];
        for (int r = 0; r < height; r++) {
            int row = co + r * ldc, start = rows[ri + r];
            for (int j = 0; j < width; j++) acc[j] = add ? c[row + j] : 0f;
            for (int p = 0; p < kc; p++) {
                float v = x[start + ks[k0 + p]];
                int bi = bo + p * NR;
                for (int j = 0; j < width; j++) acc[j] = Math.fma(v, b[bi + j], acc[j]);
            }
            System.arraycopy(acc, 0, c, row, width);
        }
    }

    /** {@link #gatheredTile} with vectors, written out like {@link #vectorTile}. */
    static void vectorGatheredTile(float[] x, int[] rows, int ri, int[] ks, int k0, float[] b, int bo, int kc,
                                   float[] c, int co, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        int a0 = rows[ri], a1 = rows[ri + 1], a2 = rows[ri + 2], a3 = rows[ri + 3], a4 = rows[ri + 4], a5 = rows[ri + 5];
        int r0 = co, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        FloatVector c00 = add ? FloatVector.fromArray(S, c, r0) : z, c01 = add ? FloatVector.fromArray(S, c, r0 + L) : z, c02 = add ? FloatVector.fromArray(S, c, r0 + 2 * L) : z, c03 = add ? FloatVector.fromArray(S, c, r0 + 3 * L) : z;
        FloatVector c10 = add ? FloatVector.fromArray(S, c, r1) : z, c11 = add ? FloatVector.fromArray(S, c, r1 + L) : z, c12 = add ? FloatVector.fromArray(S, c, r1 + 2 * L) : z, c13 = add ? FloatVector.fromArray(S, c, r1 + 3 * L) : z;
        FloatVector c20 = add ? FloatVector.fromArray(S, c, r2) : z, c21 = add ? FloatVector.fromArray(S, c, r2 + L) : z, c22 = add ? FloatVector.fromArray(S, c, r2 + 2 * L) : z, c23 = add ? FloatVector.fromArray(S, c, r2 + 3 * L) : z;
        FloatVector c30 = add ? FloatVector.fromArray(S, c, r3) : z, c31 = add ? FloatVector.fromArray(S, c, r3 + L) : z, c32 = add ? FloatVector.fromArray(S, c, r3 + 2 * L) : z, c33 = add ? FloatVector.fromArray(S, c, r3 + 3 * L) : z;
        FloatVector c40 = add ? FloatVector.fromArray(S, c, r4) : z, c41 = add ? FloatVector.fromArray(S, c, r4 + L) : z, c42 = add ? FloatVector.fromArray(S, c, r4 + 2 * L) : z, c43 = add ? FloatVector.fromArray(S, c, r4 + 3 * L) : z;
        FloatVector c50 = add ? FloatVector.fromArray(S, c, r5) : z, c51 = add ? FloatVector.fromArray(S, c, r5 + L) : z, c52 = add ? FloatVector.fromArray(S, c, r5 + 2 * L) : z, c53 = add ? FloatVector.fromArray(S, c, r5 + 3 * L) : z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR, t = ks[k0 + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L), b3 = FloatVector.fromArray(S, b, bi + 3 * L);
            FloatVector v = FloatVector.broadcast(S, x[a0 + t]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01); c02 = v.fma(b2, c02); c03 = v.fma(b3, c03);
            v = FloatVector.broadcast(S, x[a1 + t]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11); c12 = v.fma(b2, c12); c13 = v.fma(b3, c13);
            v = FloatVector.broadcast(S, x[a2 + t]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21); c22 = v.fma(b2, c22); c23 = v.fma(b3, c23);
            v = FloatVector.broadcast(S, x[a3 + t]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31); c32 = v.fma(b2, c32); c33 = v.fma(b3, c33);
            v = FloatVector.broadcast(S, x[a4 + t]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41); c42 = v.fma(b2, c42); c43 = v.fma(b3, c43);
            v = FloatVector.broadcast(S, x[a5 + t]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51); c52 = v.fma(b2, c52); c53 = v.fma(b3, c53);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L); c02.intoArray(c, r0 + 2 * L); c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L); c12.intoArray(c, r1 + 2 * L); c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L); c22.intoArray(c, r2 + 2 * L); c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L); c32.intoArray(c, r3 + 2 * L); c33.intoArray(c, r3 + 3 * L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L); c42.intoArray(c, r4 + 2 * L); c43.intoArray(c, r4 + 3 * L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L); c52.intoArray(c, r5 + 2 * L); c53.intoArray(c, r5 + 3 * L);
    }

    /** Until the half tile is seen running compiled, tiles go to {@link #scalarGatheredTile}. */
    private static final Warming HALF_WARMING = new Warming("half gemm tile");

    /** Rows 0-5 of a packed A panel as gathered rows: with {@link #PANEL_KS}, element (r, p) at {@code r + p·MR}. */
    static final int[] PANEL_ROWS = {0, 1, 2, 3, 4, 5};
    /** k's offsets in a packed A panel. */
    static final int[] PANEL_KS = new int[Gemm.KC];
    static {
        for (int p = 0; p < PANEL_KS.length; p++) PANEL_KS[p] = p * MR;
    }

    /**
     * {@link #gatheredTile} for the first NR / 2 columns of B's panel only: 6 × 32 of C, for a
     * strip of C at most 32 wide (GoogLeNet's and DenseNet's 32- and 96-channel layers). The
     * whole tile there spent half its fmas on the panel's zero columns; this one's 12
     * accumulators keep both fma units busy. A packed A panel is read through
     * {@link #PANEL_ROWS} and {@link #PANEL_KS}.
     */
    static void halfTile(float[] x, int[] rows, int ri, int[] ks, int k0, float[] b, int bo, int kc,
                         float[] c, int co, int ldc, boolean add) {
        long t0 = HALF_WARMING.start();
        if (t0 == 0) {
            scalarGatheredTile(x, rows, ri, ks, k0, b, bo, kc, c, co, ldc, add, MR, NR / 2);
            return;
        }
        vectorHalfTile(x, rows, ri, ks, k0, b, bo, kc, c, co, ldc, add);
        HALF_WARMING.timed(t0, 20L * kc);
    }

    /** {@link #halfTile} with vectors, written out like {@link #vectorTile}. */
    static void vectorHalfTile(float[] x, int[] rows, int ri, int[] ks, int k0, float[] b, int bo, int kc,
                               float[] c, int co, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        int a0 = rows[ri], a1 = rows[ri + 1], a2 = rows[ri + 2], a3 = rows[ri + 3], a4 = rows[ri + 4], a5 = rows[ri + 5];
        int r0 = co, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        FloatVector c00 = add ? FloatVector.fromArray(S, c, r0) : z, c01 = add ? FloatVector.fromArray(S, c, r0 + L) : z;
        FloatVector c10 = add ? FloatVector.fromArray(S, c, r1) : z, c11 = add ? FloatVector.fromArray(S, c, r1 + L) : z;
        FloatVector c20 = add ? FloatVector.fromArray(S, c, r2) : z, c21 = add ? FloatVector.fromArray(S, c, r2 + L) : z;
        FloatVector c30 = add ? FloatVector.fromArray(S, c, r3) : z, c31 = add ? FloatVector.fromArray(S, c, r3 + L) : z;
        FloatVector c40 = add ? FloatVector.fromArray(S, c, r4) : z, c41 = add ? FloatVector.fromArray(S, c, r4 + L) : z;
        FloatVector c50 = add ? FloatVector.fromArray(S, c, r5) : z, c51 = add ? FloatVector.fromArray(S, c, r5 + L) : z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR, t = ks[k0 + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector v = FloatVector.broadcast(S, x[a0 + t]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, x[a1 + t]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, x[a2 + t]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, x[a3 + t]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, x[a4 + t]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, x[a5 + t]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L);
    }

    /** Rows of a {@link #runTile}: two tiles' worth. */
    static final int RUN = 2 * MR;

    /** Until the run tile is seen running compiled, tiles go to {@link #scalarGatheredTile}. */
    private static final Warming RUN_WARMING = new Warming("run gemm tile");

    /**
     * {@link #halfTile} for {@link #RUN} rows whose offsets in x are two runs of six, row r at
     * {@code first + r} and row 6 + r at {@code second + r}: the windows of neighbouring outputs
     * along rows of a stride-1 convolution (twelve along one row, or six along each of two).
     * The half tile's 12 fmas a step wait on 6 broadcasts and 2 loads, and its six row offsets
     * take six registers; this one's 24 fmas take 12 broadcasts from two offsets, and its 24
     * accumulators keep both fma units busy. Alone on a core, with B in L2: 155 GFLOP/s,
     * against 130 for the gathered tile and 90 for the half tile.
     */
    static void runTile(float[] x, int first, int second, int[] ks, int k0, float[] b, int bo, int kc,
                        float[] c, int co, int ldc, boolean add) {
        long t0 = RUN_WARMING.start();
        if (t0 == 0) {
            int[] rows = new int[RUN];
            for (int r = 0; r < MR; r++) {
                rows[r] = first + r;
                rows[MR + r] = second + r;
            }
            scalarGatheredTile(x, rows, 0, ks, k0, b, bo, kc, c, co, ldc, add, RUN, NR / 2);
            return;
        }
        vectorRunTile(x, first, second, ks, k0, b, bo, kc, c, co, ldc, add);
        RUN_WARMING.timed(t0, 40L * kc);
    }

    /** {@link #runTile} with vectors, written out like {@link #vectorTile}. */
    static void vectorRunTile(float[] x, int first, int second, int[] ks, int k0, float[] b, int bo, int kc,
                              float[] c, int co, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        int r0 = co, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        int r6 = r5 + ldc, r7 = r6 + ldc, r8 = r7 + ldc, r9 = r8 + ldc, r10 = r9 + ldc, r11 = r10 + ldc;
        FloatVector c00 = add ? FloatVector.fromArray(S, c, r0) : z, c01 = add ? FloatVector.fromArray(S, c, r0 + L) : z;
        FloatVector c10 = add ? FloatVector.fromArray(S, c, r1) : z, c11 = add ? FloatVector.fromArray(S, c, r1 + L) : z;
        FloatVector c20 = add ? FloatVector.fromArray(S, c, r2) : z, c21 = add ? FloatVector.fromArray(S, c, r2 + L) : z;
        FloatVector c30 = add ? FloatVector.fromArray(S, c, r3) : z, c31 = add ? FloatVector.fromArray(S, c, r3 + L) : z;
        FloatVector c40 = add ? FloatVector.fromArray(S, c, r4) : z, c41 = add ? FloatVector.fromArray(S, c, r4 + L) : z;
        FloatVector c50 = add ? FloatVector.fromArray(S, c, r5) : z, c51 = add ? FloatVector.fromArray(S, c, r5 + L) : z;
        FloatVector c60 = add ? FloatVector.fromArray(S, c, r6) : z, c61 = add ? FloatVector.fromArray(S, c, r6 + L) : z;
        FloatVector c70 = add ? FloatVector.fromArray(S, c, r7) : z, c71 = add ? FloatVector.fromArray(S, c, r7 + L) : z;
        FloatVector c80 = add ? FloatVector.fromArray(S, c, r8) : z, c81 = add ? FloatVector.fromArray(S, c, r8 + L) : z;
        FloatVector c90 = add ? FloatVector.fromArray(S, c, r9) : z, c91 = add ? FloatVector.fromArray(S, c, r9 + L) : z;
        FloatVector ca0 = add ? FloatVector.fromArray(S, c, r10) : z, ca1 = add ? FloatVector.fromArray(S, c, r10 + L) : z;
        FloatVector cb0 = add ? FloatVector.fromArray(S, c, r11) : z, cb1 = add ? FloatVector.fromArray(S, c, r11 + L) : z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR, k = ks[k0 + p], t = first + k, u = second + k;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector v = FloatVector.broadcast(S, x[t]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, x[t + 1]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, x[t + 2]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, x[t + 3]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, x[t + 4]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, x[t + 5]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(S, x[u]);
            c60 = v.fma(b0, c60); c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(S, x[u + 1]);
            c70 = v.fma(b0, c70); c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(S, x[u + 2]);
            c80 = v.fma(b0, c80); c81 = v.fma(b1, c81);
            v = FloatVector.broadcast(S, x[u + 3]);
            c90 = v.fma(b0, c90); c91 = v.fma(b1, c91);
            v = FloatVector.broadcast(S, x[u + 4]);
            ca0 = v.fma(b0, ca0); ca1 = v.fma(b1, ca1);
            v = FloatVector.broadcast(S, x[u + 5]);
            cb0 = v.fma(b0, cb0); cb1 = v.fma(b1, cb1);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L);
        c60.intoArray(c, r6); c61.intoArray(c, r6 + L);
        c70.intoArray(c, r7); c71.intoArray(c, r7 + L);
        c80.intoArray(c, r8); c81.intoArray(c, r8 + L);
        c90.intoArray(c, r9); c91.intoArray(c, r9 + L);
        ca0.intoArray(c, r10); ca1.intoArray(c, r10 + L);
        cb0.intoArray(c, r11); cb1.intoArray(c, r11 + L);
    }

    /** Until the tall tile is seen running compiled, tiles go to {@link #scalarGatheredTile}. */
    private static final Warming TALL_WARMING = new Warming("tall gemm tile");

    /**
     * {@link #runTile} for any {@link #RUN} rows, row r at {@code rows[ri + r]}: a strip of 32
     * columns whose rows are not runs (a weight gradient's 3 × 3 outputs, DenseNet's
     * 32-channel ones). Its twelve row offsets outnumber the free registers, but alone on a core
     * it did 125 GFLOP/s, against 90 for the half tile over the same rows.
     */
    static void tallTile(float[] x, int[] rows, int ri, int[] ks, int k0, float[] b, int bo, int kc,
                         float[] c, int co, int ldc, boolean add) {
        long t0 = TALL_WARMING.start();
        if (t0 == 0) {
            scalarGatheredTile(x, rows, ri, ks, k0, b, bo, kc, c, co, ldc, add, RUN, NR / 2);
            return;
        }
        vectorTallTile(x, rows, ri, ks, k0, b, bo, kc, c, co, ldc, add);
        TALL_WARMING.timed(t0, 40L * kc);
    }

    /** {@link #tallTile} with vectors, written out like {@link #vectorTile}. */
    static void vectorTallTile(float[] x, int[] rows, int ri, int[] ks, int k0, float[] b, int bo, int kc,
                               float[] c, int co, int ldc, boolean add) {
        FloatVector z = FloatVector.zero(S);
        int a0 = rows[ri], a1 = rows[ri + 1], a2 = rows[ri + 2], a3 = rows[ri + 3], a4 = rows[ri + 4], a5 = rows[ri + 5];
        int a6 = rows[ri + 6], a7 = rows[ri + 7], a8 = rows[ri + 8], a9 = rows[ri + 9], a10 = rows[ri + 10], a11 = rows[ri + 11];
        int r0 = co, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        int r6 = r5 + ldc, r7 = r6 + ldc, r8 = r7 + ldc, r9 = r8 + ldc, r10 = r9 + ldc, r11 = r10 + ldc;
        FloatVector c00 = add ? FloatVector.fromArray(S, c, r0) : z, c01 = add ? FloatVector.fromArray(S, c, r0 + L) : z;
        FloatVector c10 = add ? FloatVector.fromArray(S, c, r1) : z, c11 = add ? FloatVector.fromArray(S, c, r1 + L) : z;
        FloatVector c20 = add ? FloatVector.fromArray(S, c, r2) : z, c21 = add ? FloatVector.fromArray(S, c, r2 + L) : z;
        FloatVector c30 = add ? FloatVector.fromArray(S, c, r3) : z, c31 = add ? FloatVector.fromArray(S, c, r3 + L) : z;
        FloatVector c40 = add ? FloatVector.fromArray(S, c, r4) : z, c41 = add ? FloatVector.fromArray(S, c, r4 + L) : z;
        FloatVector c50 = add ? FloatVector.fromArray(S, c, r5) : z, c51 = add ? FloatVector.fromArray(S, c, r5 + L) : z;
        FloatVector c60 = add ? FloatVector.fromArray(S, c, r6) : z, c61 = add ? FloatVector.fromArray(S, c, r6 + L) : z;
        FloatVector c70 = add ? FloatVector.fromArray(S, c, r7) : z, c71 = add ? FloatVector.fromArray(S, c, r7 + L) : z;
        FloatVector c80 = add ? FloatVector.fromArray(S, c, r8) : z, c81 = add ? FloatVector.fromArray(S, c, r8 + L) : z;
        FloatVector c90 = add ? FloatVector.fromArray(S, c, r9) : z, c91 = add ? FloatVector.fromArray(S, c, r9 + L) : z;
        FloatVector ca0 = add ? FloatVector.fromArray(S, c, r10) : z, ca1 = add ? FloatVector.fromArray(S, c, r10 + L) : z;
        FloatVector cb0 = add ? FloatVector.fromArray(S, c, r11) : z, cb1 = add ? FloatVector.fromArray(S, c, r11 + L) : z;
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR, t = ks[k0 + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector v = FloatVector.broadcast(S, x[a0 + t]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(S, x[a1 + t]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(S, x[a2 + t]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(S, x[a3 + t]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(S, x[a4 + t]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(S, x[a5 + t]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(S, x[a6 + t]);
            c60 = v.fma(b0, c60); c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(S, x[a7 + t]);
            c70 = v.fma(b0, c70); c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(S, x[a8 + t]);
            c80 = v.fma(b0, c80); c81 = v.fma(b1, c81);
            v = FloatVector.broadcast(S, x[a9 + t]);
            c90 = v.fma(b0, c90); c91 = v.fma(b1, c91);
            v = FloatVector.broadcast(S, x[a10 + t]);
            ca0 = v.fma(b0, ca0); ca1 = v.fma(b1, ca1);
            v = FloatVector.broadcast(S, x[a11 + t]);
            cb0 = v.fma(b0, cb0); cb1 = v.fma(b1, cb1);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L);
        c60.intoArray(c, r6); c61.intoArray(c, r6 + L);
        c70.intoArray(c, r7); c71.intoArray(c, r7 + L);
        c80.intoArray(c, r8); c81.intoArray(c, r8 + L);
        c90.intoArray(c, r9); c91.intoArray(c, r9 + L);
        ca0.intoArray(c, r10); ca1.intoArray(c, r10 + L);
        cb0.intoArray(c, r11); cb1.intoArray(c, r11 + L);
    }

    /**
     * A tile cut by C's edge: its {@code rows × cols} corner of c copied into {@code scratch}
     * (MR × NR, the rest zero), the whole tile computed there, the corner copied back. C gets
     * the same sums as a whole tile would give it.
     */
    static void edge(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc, boolean add,
                     int rows, int cols, float[] scratch) {
        edge(c, co, ldc, add, rows, cols, scratch, (t, to, ld) -> tile(a, ao, b, bo, kc, t, to, ld, add));
    }

    /** A whole tile's sums into {@code c} at {@code co}, rows {@code ldc} apart. */
    @FunctionalInterface
    interface Tile {
        void into(float[] c, int co, int ldc);
    }

    /** {@link #edge} for any tile kernel. */
    static void edge(float[] c, int co, int ldc, boolean add, int rows, int cols, float[] scratch, Tile tile) {
        java.util.Arrays.fill(scratch, 0f);
        if (add) for (int r = 0; r < rows; r++) System.arraycopy(c, co + r * ldc, scratch, r * NR, cols);
        tile.into(scratch, 0, NR);
        for (int r = 0; r < rows; r++) System.arraycopy(scratch, r * NR, c, co + r * ldc, cols);
    }
}
