package dev.dlc.exec.cpu;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import dev.dlc.exec.cpu.Epilogue.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d at stride 1 with exactly one vector of output channels per group (16: LeNet's conv2),
 * computed directly with the vector across the channels: every lane is an output, however
 * narrow the rows (along a 10-wide row, {@link DirectConv}'s vectors would waste 6 lanes in 16).
 * A block is ten consecutive outputs of a row: for each kernel tap (c, i, j), in that order from
 * zero, it loads the tap's 16 weights once and adds them times each output's input, broadcast:
 * ten independent fma chains. The ten channel vectors are scattered into the NCHW output, 16
 * planes apart. A row's last block starts at OW - 10 (overlapping the one before it, whose
 * outputs it recomputes to the same bits), so rows must be at least ten wide.
 *
 * <p>Work is split like DirectConv's, by (image, group, chunk of output rows), bias and
 * activation following per chunk; each output's sum order is fixed, so threads change no bit.
 */
final class ChannelConv {
    private ChannelConv() {}

    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    /** Outputs per block, along a row. */
    private static final int BW = 10;

    static boolean suits(Geometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.outputsPerGroup() == L && g.outW() >= BW;
    }

    static void forward(float[] x, int xOff, float[] weights, int wOff, float[] bias, int biasOff,
                        float[] out, int outOff, Geometry g, Activation activation) {
        // Blocks hold real outputs only: they read inside the padded planes, no slack.
        var in = PaddedInput.of(x, xOff, g, 0, true);
        var epilogue = bias == null ? Epilogue.of(activation) : Epilogue.of(activation).withRowBias(bias, biasOff);
        int chunks = DirectConv.rowChunks(g), p = g.positions();
        var planes = new int[L];
        for (int k = 0; k < L; k++) planes[k] = k * p;
        var job = new Job(in, byTap(weights, wOff, g), planes, in.taps(g), out, outOff, g, epilogue, chunks);
        Parallel.forRange(g.n() * g.groups() * chunks, job::units);
    }

    /** The weights as {@code [(gi·taps + t)·16 + k] = w[gi·16 + k][t]}: a tap's 16 channels, one vector. */
    private static float[] byTap(float[] w, int wOff, Geometry g) {
        int taps = g.depth();
        float[] t = Scratch.floats(Scratch.WEIGHTS, g.o() * taps);
        for (int o = 0; o < g.o(); o++) {
            int gi = o / L, k = o % L;
            for (int tap = 0; tap < taps; tap++) t[(gi * taps + tap) * L + k] = w[wOff + o * taps + tap];
        }
        return t;
    }

    /**
     * planes: the output offset of each channel of a group from its first, for the scatter;
     * taps: each kernel tap's input offset from its window's first element.
     */
    private record Job(PaddedInput in, float[] wt, int[] planes, int[] taps, float[] out, int outOff, Geometry g, Epilogue epilogue, int chunks) {
        /** Units [lo, hi), numbered (image, group, chunk): the chunk's rows block by block, then the epilogue. */
        void units(int lo, int hi) {
            int oh = g.outH(), ow = g.outW();
            for (int u = lo; u < hi; u++) {
                int n = u / (g.groups() * chunks), gi = u / chunks % g.groups(), chunk = u % chunks;
                int y0 = oh * chunk / chunks, y1 = oh * (chunk + 1) / chunks;
                int src = in.offset() + n * in.image() + gi * g.channelsPerGroup() * in.plane();
                for (int y = y0; y < y1; y++)
                    for (int x0 = 0; x0 < ow; x0 += BW) {
                        int z = Math.min(x0, ow - BW);
                        block(src + y * in.rowLength() + z, gi * g.depth() * L, output(n, gi * L, y, z));
                    }
                epilogue.apply(out, output(n, gi * L, y0, 0), oh * ow, L, (y1 - y0) * ow, gi * L, y0 * ow);
            }
        }

        private int output(int n, int o, int y, int x0) { return outOff + ((n * g.o() + o) * g.outH() + y) * g.outW() + x0; }

        /**
         * Ten outputs whose inputs start at s, all 16 channels of the group: raw sums scattered
         * from {@code out[at]} on. No calls and no branches in here (see DirectConv).
         */
        private void block(int s, int wi, int at) {
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
    }
}
