package dev.dlc.exec.cpu;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import dev.dlc.exec.cpu.Epilogue.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d at stride 1 with few output channels (LeNet's layers, and the weight gradients of
 * small-channel layers), computed directly: no GEMM panels to pack, which at these sizes cost
 * far more than the arithmetic. A vector holds L consecutive outputs of one output row; for each
 * kernel tap (c, i, j), in that order from zero, it loads the L inputs under them (one vector,
 * since the stride is 1) and adds them times the tap's weight for four output channels at once,
 * for two output rows at once where there are two (eight accumulators, each weight broadcast
 * used twice).
 *
 * <p>The input is first copied with its zero padding (plus one vector of slack), so that every
 * load is a whole, unmasked vector; lanes past the row's end are computed and never stored.
 * Bias and activation follow per output row, by the {@link Epilogue}, while the row is in cache.
 * Work is split by pairs of output rows; each output's sum order is fixed, so threads change no
 * bit.
 */
final class DirectConv {
    private DirectConv() {}

    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    /** Output channels per pass: four accumulators share each input vector. */
    private static final int OB = 4;

    /** Where packing would dominate: stride 1 and at most 16 outputs per group. */
    static boolean suits(Geometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.outputsPerGroup() <= 16;
    }

    static void forward(float[] x, int xOff, float[] weights, int wOff, float[] bias, int biasOff,
                        float[] out, int outOff, Geometry g, Activation activation) {
        var p = new Padded(g);
        float[] padded = Scratch.floats(Scratch.PADDED, g.n() * p.image + L);
        Parallel.forRange(g.n(), (lo, hi) -> p.copy(x, xOff, padded, lo, hi));
        var epilogue = bias == null ? Epilogue.of(activation) : Epilogue.of(activation).withRowBias(bias, biasOff);
        var job = new Job(padded, p, weights, wOff, interleaved(weights, wOff, g), out, outOff, g, epilogue);
        Parallel.forRange(Job.pairs(g), job::rows);
    }

    /**
     * The weights of every four-channel block [o, o + 4) of a group as {@code [o·taps + t·4 + q]
     * = w[o + q][t]}: the four weights of a tap side by side, read at one rising index.
     */
    private static float[] interleaved(float[] w, int wOff, Geometry g) {
        int og = g.outputsPerGroup(), taps = g.depth();
        float[] t = Scratch.floats(Scratch.WEIGHTS, g.o() * taps);
        for (int gi = 0; gi < g.groups(); gi++)
            for (int o = gi * og; o + OB <= (gi + 1) * og; o += OB)
                for (int k = 0; k < taps; k++)
                    for (int q = 0; q < OB; q++) t[o * taps + k * OB + q] = w[wOff + (o + q) * taps + k];
        return t;
    }

    /** x with its padding: planes of (h + 2·padH) × (w + 2·padW). */
    private record Padded(int rowLength, int plane, int image, Geometry g) {
        Padded(Geometry g) {
            this(g.w() + 2 * g.padW(), (g.h() + 2 * g.padH()) * (g.w() + 2 * g.padW()),
                    g.c() * (g.h() + 2 * g.padH()) * (g.w() + 2 * g.padW()), g);
        }

        void copy(float[] x, int xOff, float[] to, int lo, int hi) {
            java.util.Arrays.fill(to, lo * image, hi * image, 0f);
            for (int n = lo; n < hi; n++)
                for (int c = 0; c < g.c(); c++)
                    for (int r = 0; r < g.h(); r++)
                        System.arraycopy(x, xOff + ((n * g.c() + c) * g.h() + r) * g.w(),
                                to, n * image + c * plane + (r + g.padH()) * rowLength + g.padW(), g.w());
        }
    }

    private record Job(float[] x, Padded p, float[] w, int wOff, float[] w4, float[] out, int outOff, Geometry g, Epilogue epilogue) {
        /** Pairs of output rows, numbered (image, group, y / 2): ceil(OH / 2) per image and group. */
        static int pairs(Geometry g) { return g.n() * g.groups() * Gemm.ceilDiv(g.outH(), 2); }

        /** Row pairs [lo, hi): two rows share each weight broadcast; an odd last row goes alone. */
        void rows(int lo, int hi) {
            int per = Gemm.ceilDiv(g.outH(), 2), og = g.outputsPerGroup();
            for (int r = lo; r < hi; r++) {
                int n = r / (g.groups() * per), gi = r / per % g.groups(), y = r % per * 2;
                boolean two = y + 1 < g.outH();
                int src = n * p.image() + gi * g.channelsPerGroup() * p.plane() + y * p.rowLength();
                for (int o = 0; o < og; o += OB)
                    for (int x0 = 0; x0 < g.outW(); x0 += L) {
                        VectorMask<Float> inRow = S.indexInRange(x0, g.outW());
                        int first = gi * og + o;
                        if (og - o >= OB && two) eight(src + x0, first, output(n, first, y, x0), inRow);
                        else if (og - o >= OB) four(src + x0, first, output(n, first, y, x0), inRow);
                        else for (int q = first; q < (gi + 1) * og; q++)
                            for (int yy = y; yy < y + (two ? 2 : 1); yy++)
                                one(src + (yy - y) * p.rowLength() + x0, q, output(n, q, yy, x0), inRow);
                    }
                for (int yy = y; yy < y + (two ? 2 : 1); yy++)
                    epilogue.apply(out, output(n, gi * og, yy, 0), g.outH() * g.outW(), og, g.outW(), gi * og, 0);
            }
        }

        private int output(int n, int o, int y, int x0) { return outOff + ((n * g.o() + o) * g.outH() + y) * g.outW() + x0; }

        /**
         * Output channels [first, first + 4) at one row's columns [x0, x0 + L), raw sums stored at
         * {@code at} (channel planes apart). No calls and no branches in here: a call the JIT did
         * not inline would box the accumulators, and a branch first seen taken by a later shape
         * would deoptimize this loop.
         */
        private void four(int src, int first, int at, VectorMask<Float> inRow) {
            int cg = g.channelsPerGroup(), kh = g.kh(), kw = g.kw(), taps = cg * kh * kw;
            int dh = g.dilationH() * p.rowLength(), dw = g.dilationW(), plane = g.outH() * g.outW();
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            int wi = first * taps;
            for (int c = 0; c < cg; c++)
                for (int i = 0; i < kh; i++) {
                    int s = src + c * p.plane() + i * dh;
                    for (int j = 0; j < kw; j++, wi += OB) {
                        FloatVector v = FloatVector.fromArray(S, x, s + j * dw);
                        a0 = FloatVector.broadcast(S, w4[wi]).fma(v, a0);
                        a1 = FloatVector.broadcast(S, w4[wi + 1]).fma(v, a1);
                        a2 = FloatVector.broadcast(S, w4[wi + 2]).fma(v, a2);
                        a3 = FloatVector.broadcast(S, w4[wi + 3]).fma(v, a3);
                    }
                }
            a0.intoArray(out, at, inRow);
            a1.intoArray(out, at + plane, inRow);
            a2.intoArray(out, at + 2 * plane, inRow);
            a3.intoArray(out, at + 3 * plane, inRow);
        }

        /** {@link #four} for rows y and y + 1 at once: eight accumulators, each weight broadcast used twice. */
        private void eight(int src, int first, int at, VectorMask<Float> inRow) {
            int cg = g.channelsPerGroup(), kh = g.kh(), kw = g.kw(), taps = cg * kh * kw;
            int dh = g.dilationH() * p.rowLength(), dw = g.dilationW(), plane = g.outH() * g.outW();
            int next = p.rowLength(), down = g.outW();
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int wi = first * taps;
            for (int c = 0; c < cg; c++)
                for (int i = 0; i < kh; i++) {
                    int s = src + c * p.plane() + i * dh;
                    for (int j = 0; j < kw; j++, wi += OB) {
                        FloatVector v = FloatVector.fromArray(S, x, s + j * dw), u = FloatVector.fromArray(S, x, s + next + j * dw);
                        FloatVector w0 = FloatVector.broadcast(S, w4[wi]), w1 = FloatVector.broadcast(S, w4[wi + 1]);
                        FloatVector w2 = FloatVector.broadcast(S, w4[wi + 2]), w3 = FloatVector.broadcast(S, w4[wi + 3]);
                        a0 = w0.fma(v, a0); a1 = w1.fma(v, a1); a2 = w2.fma(v, a2); a3 = w3.fma(v, a3);
                        b0 = w0.fma(u, b0); b1 = w1.fma(u, b1); b2 = w2.fma(u, b2); b3 = w3.fma(u, b3);
                    }
                }
            a0.intoArray(out, at, inRow);
            a1.intoArray(out, at + plane, inRow);
            a2.intoArray(out, at + 2 * plane, inRow);
            a3.intoArray(out, at + 3 * plane, inRow);
            b0.intoArray(out, at + down, inRow);
            b1.intoArray(out, at + plane + down, inRow);
            b2.intoArray(out, at + 2 * plane + down, inRow);
            b3.intoArray(out, at + 3 * plane + down, inRow);
        }

        /** One output channel: what is left when the group's channels are not a multiple of four. */
        private void one(int src, int o, int at, VectorMask<Float> inRow) {
            int cg = g.channelsPerGroup(), kh = g.kh(), kw = g.kw();
            int dh = g.dilationH() * p.rowLength(), dw = g.dilationW();
            FloatVector a = FloatVector.zero(S);
            int wi = wOff + o * cg * kh * kw;
            for (int c = 0; c < cg; c++)
                for (int i = 0; i < kh; i++) {
                    int s = src + c * p.plane() + i * dh;
                    for (int j = 0; j < kw; j++, wi++) a = FloatVector.broadcast(S, w[wi]).fma(FloatVector.fromArray(S, x, s + j * dw), a);
                }
            a.intoArray(out, at, inRow);
        }
    }
}
