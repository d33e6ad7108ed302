package dev.dlc.exec.cpu;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import dev.dlc.exec.cpu.Epilogue.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d at stride 1 with exactly one vector of output channels per group (16: LeNet's conv2
 * and its weight gradient), computed directly with the vector across the channels: every lane
 * is an output, however narrow the rows (along a 10-wide row, {@link DirectConv}'s vectors would
 * waste 6 lanes in 16; on a 5-wide weight gradient, {@link DotConv}'s 4 in 14). A block is ten
 * outputs: ten consecutive ones of a row, or on rows narrower than that, the last five of two
 * rows. For each kernel tap (c, i, j), in that order from zero, it loads the tap's 16 weights
 * once and adds them times each output's input, broadcast: ten independent fma chains. The
 * channel vectors are scattered into the NCHW output, 16 planes apart. A row's last block ends
 * at its end, overlapping the one before it (whose outputs it recomputes to the same bits), so
 * rows must be at least five wide.
 *
 * <p>The rows of all images are numbered together, row r being output row r mod OH of image
 * r / OH, and split in chunks, {@link Parallel#PIECES} per thread, which the threads take as
 * they come free; two-row blocks pair consecutive rows, whichever image they are in (an odd
 * last row of a chunk goes with itself); bias and activation follow per chunk.
 * Each output's sum order is fixed, so threads change no bit.
 */
final class ChannelConv {
    private ChannelConv() {}

    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    /** Outputs per block along each of the two rows of a narrow-row block. */
    private static final int BW = 5;

    /**
     * Below this many taps a block's ten scatters cost more than its fmas (a 3 × 3 kernel on one
     * channel: 90 fmas to ten 16-lane scatters, 12 GFLOP/s on an AMD EPYC); DirectConv, whose
     * vectors run along rows, stores whole vectors instead.
     */
    private static final int MIN_TAPS = 32;

    static boolean suits(Geometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.outputsPerGroup() == L && g.outW() >= BW && g.depth() >= MIN_TAPS;
    }

    /** xSwapped, wSwapped: x or the weights stored with their first two axes swapped (see {@link Conv2d#forward}). */
    static void forward(float[] x, int xOff, boolean xSwapped, float[] weights, int wOff, boolean wSwapped, float[] bias, int biasOff,
                        float[] out, int outOff, Geometry g, Activation activation) {
        // Blocks hold real outputs only: they read inside the padded planes, no slack.
        var in = PaddedInput.of(x, xOff, g, 0, true, xSwapped);
        var epilogue = bias == null ? Epilogue.of(activation) : Epilogue.of(activation).withRowBias(bias, biasOff);
        int rows = g.n() * g.outH(), chunks = Math.clamp((long) Parallel.PIECES * Parallel.threads() / g.groups(), 1, Gemm.ceilDiv(rows, 2));
        var planes = new int[L];
        for (int k = 0; k < L; k++) planes[k] = k * g.positions();
        var job = new Job(in, byTap(weights, wOff, wSwapped, g), planes, in.taps(g), out, outOff, g, epilogue, chunks);
        Parallel.forPieces(g.groups() * chunks, job::units);
    }

    /** The weights as {@code [(gi·taps + t)·16 + k] = w[gi·16 + k][t]}: a tap's 16 channels, one vector. */
    private static float[] byTap(float[] w, int wOff, boolean swapped, Geometry g) {
        int taps = g.depth(), plane = g.kh() * g.kw();
        float[] t = Scratch.floats(Scratch.WEIGHTS, g.o() * taps);
        // A weight gradient's "kernel" is large (LeNet's conv2: 200 K values): spread the transpose.
        Parallel.forPieces(g.groups() * taps, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int gi = r / taps, tap = r % taps, c = tap / plane, at = wOff + tap % plane;
                for (int k = 0; k < L; k++) t[r * L + k] = w[at + Conv2d.weightPlane(g, gi * L + k, c, swapped) * plane];
            }
        });
        return t;
    }

    /**
     * planes: the output offset of each channel of a group from its first, for the scatter;
     * taps: each kernel tap's input offset from its window's first element.
     */
    private record Job(PaddedInput in, float[] wt, int[] planes, int[] taps, float[] out, int outOff, Geometry g, Epilogue epilogue, int chunks) {
        /** Units [lo, hi), numbered (group, chunk of rows): the chunk's row pairs block by block, then the epilogue. */
        void units(int lo, int hi) {
            int rows = g.n() * g.outH();
            for (int u = lo; u < hi; u++) {
                int gi = u / chunks, chunk = u % chunks, r0 = rows * chunk / chunks, r1 = rows * (chunk + 1) / chunks;
                int wi = gi * g.depth() * L, ow = g.outW();
                if (ow >= 2 * BW) {
                    for (int r = r0; r < r1; r++)
                        for (int x0 = 0; x0 < ow; x0 += 2 * BW) {
                            int z = Math.min(x0, ow - 2 * BW);
                            row(input(gi, r, z), wi, output(gi, r, z));
                        }
                } else {
                    for (int r = r0; r < r1; r += 2)
                        for (int x0 = 0; x0 < ow; x0 += BW) {
                            int r2 = Math.min(r + 1, r1 - 1), z = Math.min(x0, ow - BW), s = input(gi, r, z);
                            pair(s, input(gi, r2, z) - s, wi, output(gi, r, z), output(gi, r2, z));
                        }
                }
                epilogue(gi, r0, r1);
            }
        }

        /** The input offset of output (row r, column z)'s window in group gi. */
        private int input(int gi, int r, int z) {
            int oh = g.outH();
            return in.offset() + r / oh * in.image() + gi * g.channelsPerGroup() * in.channel() + r % oh * in.rowLength() + z;
        }

        /** The offset of output (row r, column z) of group gi's first channel. */
        private int output(int gi, int r, int z) {
            int oh = g.outH(), p = g.positions();
            return outOff + (r / oh * g.o() + gi * L) * p + r % oh * g.outW() + z;
        }

        /** Bias and activation over rows [r0, r1) of group gi, image by image. */
        private void epilogue(int gi, int r0, int r1) {
            int oh = g.outH(), ow = g.outW();
            for (int r = r0; r < r1; ) {
                int end = Math.min(r1, (r / oh + 1) * oh);
                epilogue.apply(out, output(gi, r, 0), g.positions(), L, (end - r) * ow, gi * L, r % oh * ow);
                r = end;
            }
        }

        /**
         * Ten outputs of a row whose inputs start at s, all 16 channels of the group: raw sums
         * scattered from {@code out[at]} on. No calls and no branches in here (see DirectConv).
         * (One input offset: measured a sixth faster than {@link #pair} on 10-wide rows.)
         */
        private void row(int s, int wi, int at) {
            float[] x = in.data(), w = wt;
            int[] tap = taps;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
            for (int k = 0; k < tap.length; k++, wi += L) {
                int t = s + tap[k];
                FloatVector v = FloatVector.fromArray(S, w, wi);
                a0 = v.fma(FloatVector.broadcast(S, x[t]), a0);
                a1 = v.fma(FloatVector.broadcast(S, x[t + 1]), a1);
                a2 = v.fma(FloatVector.broadcast(S, x[t + 2]), a2);
                a3 = v.fma(FloatVector.broadcast(S, x[t + 3]), a3);
                a4 = v.fma(FloatVector.broadcast(S, x[t + 4]), a4);
                a5 = v.fma(FloatVector.broadcast(S, x[t + 5]), a5);
                a6 = v.fma(FloatVector.broadcast(S, x[t + 6]), a6);
                a7 = v.fma(FloatVector.broadcast(S, x[t + 7]), a7);
                a8 = v.fma(FloatVector.broadcast(S, x[t + 8]), a8);
                a9 = v.fma(FloatVector.broadcast(S, x[t + 9]), a9);
            }
            int[] map = planes;
            a0.intoArray(out, at, map, 0); a1.intoArray(out, at + 1, map, 0); a2.intoArray(out, at + 2, map, 0);
            a3.intoArray(out, at + 3, map, 0); a4.intoArray(out, at + 4, map, 0); a5.intoArray(out, at + 5, map, 0);
            a6.intoArray(out, at + 6, map, 0); a7.intoArray(out, at + 7, map, 0); a8.intoArray(out, at + 8, map, 0);
            a9.intoArray(out, at + 9, map, 0);
        }

        /**
         * {@link #row} for rows 5 to 9 wide: five outputs of a row whose inputs start at s and
         * five of one whose inputs start at s + d, into {@code out[at0]} and {@code out[at1]} on.
         */
        private void pair(int s, int d, int wi, int at0, int at1) {
            float[] x = in.data(), w = wt;
            int[] tap = taps;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0;
            for (int k = 0; k < tap.length; k++, wi += L) {
                int t = s + tap[k], u = t + d;
                FloatVector v = FloatVector.fromArray(S, w, wi);
                a0 = v.fma(FloatVector.broadcast(S, x[t]), a0);
                a1 = v.fma(FloatVector.broadcast(S, x[t + 1]), a1);
                a2 = v.fma(FloatVector.broadcast(S, x[t + 2]), a2);
                a3 = v.fma(FloatVector.broadcast(S, x[t + 3]), a3);
                a4 = v.fma(FloatVector.broadcast(S, x[t + 4]), a4);
                b0 = v.fma(FloatVector.broadcast(S, x[u]), b0);
                b1 = v.fma(FloatVector.broadcast(S, x[u + 1]), b1);
                b2 = v.fma(FloatVector.broadcast(S, x[u + 2]), b2);
                b3 = v.fma(FloatVector.broadcast(S, x[u + 3]), b3);
                b4 = v.fma(FloatVector.broadcast(S, x[u + 4]), b4);
            }
            int[] map = planes;
            a0.intoArray(out, at0, map, 0); a1.intoArray(out, at0 + 1, map, 0); a2.intoArray(out, at0 + 2, map, 0);
            a3.intoArray(out, at0 + 3, map, 0); a4.intoArray(out, at0 + 4, map, 0);
            b0.intoArray(out, at1, map, 0); b1.intoArray(out, at1 + 1, map, 0); b2.intoArray(out, at1 + 2, map, 0);
            b3.intoArray(out, at1 + 3, map, 0); b4.intoArray(out, at1 + 4, map, 0);
        }
    }
}
