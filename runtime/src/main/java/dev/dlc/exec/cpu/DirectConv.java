package dev.dlc.exec.cpu;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import dev.dlc.exec.cpu.Epilogue.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d at stride 1 with few output channels (LeNet's conv1, the input gradients), computed
 * directly: no GEMM panels to pack, which at these sizes cost far more than the
 * arithmetic. A vector holds L consecutive outputs of one output row; an output row is
 * ceil(OW / L) such vector slots. A group's channels go in blocks of six over two slots: for
 * each kernel tap (c, i, j), in that order from zero, a block loads the two input vectors under
 * the slots (whole vectors, the stride being 1) and adds them times the tap's six weights,
 * twelve independent fma chains per tap (eight loads), enough to keep both fma units busy.
 *
 * <p>The channels left over (og mod 6: all of a depthwise layer's) go one at a time, eight
 * vectors at once, over the input's own row coordinates: the vector at flat position
 * {@code y·Wp + x} sums {@code w · x_pad[flat + tap offset]} whatever row x runs into, so eight
 * consecutive vectors need one base offset and no row structure; the positions with x below OW
 * are then copied out. (Slots of rows narrower than a vector would waste more lanes.)
 *
 * <p>The input is read with its zero padding and some slack ({@link PaddedInput}), so that every
 * load is a whole, unmasked vector; lanes past a row's end are computed and never stored.
 * Work is split by (image, group, chunk of output rows); bias and activation follow per chunk,
 * by the {@link Epilogue}, while it is in cache. Each output's sum order is fixed, so neither
 * the thread count nor the chunks change a bit.
 */
final class DirectConv {
    private DirectConv() {}

    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    /** Output channels per block: six weight broadcasts share the two input vectors of a tap. */
    private static final int OB = 6;
    /** Vectors at once of a channel left over from the blocks. */
    private static final int RUN = 8;

    /**
     * Taps up to which any number of output channels is computed directly: a GEMM over so
     * short a K spends more on packing windows and storing its tiles than on fmas. Measured
     * (best of 60 calls, 2 threads, + bias and relu): 128 images of 28 × 28, one channel,
     * 32 outputs of 5 × 5: 2.4 ms against 3.8; of 3 × 3: 1.8 against 2.0; two channels, 3 × 3:
     * 2.3 against 3.0; three channels, 3 × 3 (27 taps): 2.7 against 2.4, the GEMM's.
     */
    private static final int MAX_DEPTH = 25;

    /** Where packing would dominate: stride 1 and at most 16 outputs per group, or a kernel of few taps (not 1 × 1, which reads x as it is). */
    static boolean suits(Geometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && (g.outputsPerGroup() <= 16 || g.depth() <= MAX_DEPTH && !g.pointwise());
    }

    /** xSwapped: x is stored [C, N, H, W] (see {@link Conv2d#forward}). */
    static void forward(float[] x, int xOff, boolean xSwapped, float[] weights, int wOff, float[] bias, int biasOff,
                        float[] out, int outOff, Geometry g, Activation activation) {
        // Lanes past a row's end are never stored, so x may be read in place, past its end too.
        // The last run of eight vectors reaches up to a row and eight vectors past the last plane.
        var in = PaddedInput.of(x, xOff, g, g.w() + 2 * g.padW() + RUN * L, true, xSwapped);
        var epilogue = bias == null ? Epilogue.of(activation) : Epilogue.of(activation).withRowBias(bias, biasOff);
        int chunks = rowChunks(g);
        var job = new Job(in, blocked(weights, wOff, g), weights, wOff, out, outOff, g, epilogue, chunks, Gemm.ceilDiv(g.outW(), L), in.taps(g));
        Parallel.forPieces(g.n() * g.groups() * chunks, job::units);
    }

    private static int blocks(Geometry g) { return g.outputsPerGroup() / OB; }

    /** Chunks of output rows per image and group: one, unless there are too few images for two units per thread. */
    private static int rowChunks(Geometry g) {
        return Math.clamp(Gemm.ceilDiv(2 * Parallel.threads(), g.n() * g.groups()), 1, g.outH());
    }

    /**
     * The weights by blocks of six channels of a group, {@code [((gi·blocks + b)·taps + t)·6 + k]
     * = w[gi·og + 6b + k][t]}: a tap's six weights side by side, read at one rising index.
     */
    private static float[] blocked(float[] w, int wOff, Geometry g) {
        int og = g.outputsPerGroup(), taps = g.depth(), blocks = blocks(g);
        float[] t = Scratch.floats(Scratch.WEIGHTS, g.groups() * blocks * taps * OB);
        for (int gi = 0; gi < g.groups(); gi++)
            for (int b = 0; b < blocks; b++)
                for (int k = 0; k < OB; k++) {
                    int from = wOff + (gi * og + b * OB + k) * taps, to = ((gi * blocks + b) * taps) * OB + k;
                    for (int tap = 0; tap < taps; tap++) t[to + tap * OB] = w[from + tap];
                }
        return t;
    }

    /** taps: each kernel tap's input offset from its window's first element ({@link PaddedInput#taps}). */
    private record Job(PaddedInput in, float[] w6, float[] w, int wOff, float[] out, int outOff, Geometry g, Epilogue epilogue,
                       int chunks, int perRow, int[] taps) {
        /**
         * Units [lo, hi), numbered (image, group, chunk): every block of the group's channels over
         * the chunk's vector slots two at a time (an odd last slot paired with itself), each
         * channel left over, then the epilogue over the chunk.
         */
        void units(int lo, int hi) {
            int oh = g.outH(), ow = g.outW(), og = g.outputsPerGroup();
            for (int u = lo; u < hi; u++) {
                int n = u / (g.groups() * chunks), gi = u / chunks % g.groups(), chunk = u % chunks;
                int y0 = oh * chunk / chunks, y1 = oh * (chunk + 1) / chunks, end = y1 * perRow;
                for (int b = 0; b < blocks(g); b++)
                    for (int k = y0 * perRow; k < end; k += 2) pair(n, gi, b, k, Math.min(k + 1, end - 1));
                for (int o = blocks(g) * OB; o < og; o++) single(n, gi, gi * og + o, y0, y1);
                epilogue.apply(out, output(n, gi * og, y0, 0), oh * ow, og, (y1 - y0) * ow, gi * og, y0 * ow);
            }
        }

        private int output(int n, int o, int y, int x0) { return outOff + ((n * g.o() + o) * g.outH() + y) * g.outW() + x0; }

        /**
         * Block b of group gi of image n at vector slots k0 and k1 (slot k: output row k / perRow,
         * columns from k % perRow · L), over the kernel rows that meet a real input row under
         * either slot's output row: the others read zero padding only. (LeNet's conv2 input
         * gradient pads 10 rows by 4 on each side: 29 % of its taps read padding alone.)
         */
        private void pair(int n, int gi, int b, int k0, int k1) {
            int y0 = k0 / perRow, x0 = k0 % perRow * L, y1 = k1 / perRow, x1 = k1 % perRow * L;
            int src = in.offset() + n * in.image() + gi * g.channelsPerGroup() * in.channel(), row = in.rowLength();
            // kernel row i reads padded input row y + i·dilation (y1 >= y0): real for padH <= that < padH + H
            int dil = g.dilationH(), lo = Math.max(0, Math.ceilDiv(g.padH() - y1, dil)), hi = Math.min(g.kh(), Math.ceilDiv(g.padH() + g.h() - y0, dil));
            six(src + y0 * row + x0, src + y1 * row + x1, (gi * blocks(g) + b) * g.depth() * OB,
                    output(n, gi * g.outputsPerGroup() + b * OB, y0, x0), output(n, gi * g.outputsPerGroup() + b * OB, y1, x1),
                    S.indexInRange(x0, g.outW()), S.indexInRange(x1, g.outW()), lo * g.kw(), Math.max(lo, hi) * g.kw());
        }

        /**
         * Output channel o of image n (group gi), rows [y0, y1): the rows' flat positions in
         * runs of eight vectors into scratch, then each row's first OW positions into out.
         */
        private void single(int n, int gi, int o, int y0, int y1) {
            int row = in.rowLength(), positions = (y1 - y0) * row;
            float[] flat = Scratch.floats(Scratch.FLAT, Gemm.ceilDiv(positions, RUN * L) * RUN * L);
            int src = in.offset() + n * in.image() + gi * g.channelsPerGroup() * in.channel() + y0 * row;
            for (int q = 0; q < positions; q += RUN * L) run(src + q, wOff + o * g.depth(), flat, q);
            for (int y = y0; y < y1; y++) System.arraycopy(flat, (y - y0) * row, out, output(n, o, y, 0), g.outW());
        }

        /**
         * A block's six output channels at the slots whose inputs start at s0 and s1: raw sums
         * stored at {@code at0} and {@code at1} (the block's first channel) plus k planes, over
         * the taps [from, to) of each channel's kernel plane. No calls and no branches in here:
         * a call the JIT did not inline would box the accumulators, and a branch first seen taken
         * by a later shape would deoptimize this loop.
         */
        private void six(int s0, int s1, int w0i, int at0, int at1, VectorMask<Float> m0, VectorMask<Float> m1, int from, int to) {
            float[] x = in.data(), w = w6;
            int[] tap = taps;
            int per = g.kh() * g.kw();
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
            FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
            for (int c = 0; c < tap.length; c += per) {
                for (int k = c + from, wi = w0i + k * OB; k < c + to; k++, wi += OB) {
                    int t = tap[k];
                    FloatVector u = FloatVector.fromArray(S, x, s0 + t), v = FloatVector.fromArray(S, x, s1 + t);
                    FloatVector w0 = FloatVector.broadcast(S, w[wi]), w1 = FloatVector.broadcast(S, w[wi + 1]);
                    a0 = w0.fma(u, a0); b0 = w0.fma(v, b0); a1 = w1.fma(u, a1); b1 = w1.fma(v, b1);
                    FloatVector w2 = FloatVector.broadcast(S, w[wi + 2]), w3 = FloatVector.broadcast(S, w[wi + 3]);
                    a2 = w2.fma(u, a2); b2 = w2.fma(v, b2); a3 = w3.fma(u, a3); b3 = w3.fma(v, b3);
                    FloatVector w4 = FloatVector.broadcast(S, w[wi + 4]), w5 = FloatVector.broadcast(S, w[wi + 5]);
                    a4 = w4.fma(u, a4); b4 = w4.fma(v, b4); a5 = w5.fma(u, a5); b5 = w5.fma(v, b5);
                }
            }
            int p = g.outH() * g.outW(), o1 = p, o2 = 2 * p, o3 = 3 * p, o4 = 4 * p, o5 = 5 * p;
            a0.intoArray(out, at0, m0); b0.intoArray(out, at1, m1);
            a1.intoArray(out, at0 + o1, m0); b1.intoArray(out, at1 + o1, m1);
            a2.intoArray(out, at0 + o2, m0); b2.intoArray(out, at1 + o2, m1);
            a3.intoArray(out, at0 + o3, m0); b3.intoArray(out, at1 + o3, m1);
            a4.intoArray(out, at0 + o4, m0); b4.intoArray(out, at1 + o4, m1);
            a5.intoArray(out, at0 + o5, m0); b5.intoArray(out, at1 + o5, m1);
        }

        /**
         * Eight consecutive vectors of one channel from input offset s: raw sums into
         * {@code flat[at...]}, weights from {@code w[wi...]} in tap order. No calls, no branches.
         */
        private void run(int s, int wi, float[] flat, int at) {
            float[] x = in.data();
            int[] tap = taps;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int k = 0; k < tap.length; k++, wi++) {
                int t = s + tap[k];
                FloatVector v = FloatVector.broadcast(S, w[wi]);
                a0 = v.fma(FloatVector.fromArray(S, x, t), a0);
                a1 = v.fma(FloatVector.fromArray(S, x, t + L), a1);
                a2 = v.fma(FloatVector.fromArray(S, x, t + 2 * L), a2);
                a3 = v.fma(FloatVector.fromArray(S, x, t + 3 * L), a3);
                a4 = v.fma(FloatVector.fromArray(S, x, t + 4 * L), a4);
                a5 = v.fma(FloatVector.fromArray(S, x, t + 5 * L), a5);
                a6 = v.fma(FloatVector.fromArray(S, x, t + 6 * L), a6);
                a7 = v.fma(FloatVector.fromArray(S, x, t + 7 * L), a7);
            }
            a0.intoArray(flat, at); a1.intoArray(flat, at + L); a2.intoArray(flat, at + 2 * L); a3.intoArray(flat, at + 3 * L);
            a4.intoArray(flat, at + 4 * L); a5.intoArray(flat, at + 5 * L); a6.intoArray(flat, at + 6 * L); a7.intoArray(flat, at + 7 * L);
        }
    }
}
