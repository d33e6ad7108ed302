package dev.dlc.exec.cpu;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import dev.dlc.exec.cpu.Epilogue.Activation;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d whose kernel is larger than its output: the weight gradient of ConvVjps (of a layer
 * with few channels; {@link ChannelConv} takes those with 16), x with channels as the batch and
 * the output gradient as the "kernel", leaving a few positions (KH × KW of the forward) each
 * summed over a whole batch of planes. Each output is then a dot product of two flattened
 * planes: with the kernel's rows zero-padded to the padded input's row length Wp, output (p, q)
 * of channel o is {@code Σ_c Σ_e x_pad[c][p·s·Wp + q·s + e] · k[o, c][e]}
 * over e below KH·Wp (rounded up to a whole vector), one contiguous run of both, no masks.
 * The padded kernel columns meet input from the next row, times zero (a non-finite input there
 * would leak NaN into outputs whose window misses it; x is an activation, finite).
 *
 * <p>A tile is four output channels by five taps (p, q..q+4) of one output row: twenty
 * accumulators, each input vector shared by four fmas and each kernel vector by five. Channels
 * and taps past the end are clamped to the last (computed, not stored). The kernel planes are
 * packed, padded, a few input channels at a time so that they stay in L1 while every output row
 * passes over them, of every image; the tiles' accumulators live in scratch between those
 * chunks. At the end each accumulator's lanes are added in a fixed order. Work is split by
 * (group, block of four channels, chunk of the images' output rows), each output summed by one
 * thread in one order: the thread count changes no bit.
 */
final class DotConv {
    private DotConv() {}

    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final int L = S.length();
    /** Output channels per tile. */
    private static final int OB = 4;
    /** Taps (output columns) per tile. */
    private static final int TB = 5;
    /** Packed kernel planes and input planes of one chunk of input channels: about 24 KiB, in L1. */
    private static final int CHUNK_FLOATS = 6144;

    /**
     * Outputs per channel (images times positions) up to which any number of channels is
     * computed here: the batch-folded GEMM would have that few rows over a K of a whole batch
     * of planes, and packing its B (the output gradient) would cost as much as its fmas.
     * Measured, best of 20 calls, 2 threads, weight gradients of a first layer (x with 1-6
     * channels as the batch, 32-64 outputs): 1 × 9 outputs 2.2-2.9 ms against 8.5-12.8 in the
     * GEMM; 3 × 9: 1.6 against 5.4; 3 × 25: 2.5 against 5.6; 6 × 25: 4.1 against 7.0; but
     * 32 × 9, 64 channels: 16.1 against 9.4.
     */
    private static final int FEW_OUTPUTS = 160;

    /**
     * Undilated windows, a kernel with more positions than the output, and at most 16 outputs
     * per group or few outputs per channel.
     */
    static boolean suits(Geometry g) {
        return g.dilationH() == 1 && g.dilationW() == 1 && g.kh() * g.kw() > g.positions()
                && (g.outputsPerGroup() <= 16 || g.n() * g.positions() <= FEW_OUTPUTS);
    }

    /** xSwapped, wSwapped: x or the weights stored with their first two axes swapped (see {@link Conv2d#forward}). */
    static void forward(float[] x, int xOff, boolean xSwapped, float[] weights, int wOff, boolean wSwapped, float[] bias, int biasOff,
                        float[] out, int outOff, Geometry g, Activation activation) {
        var in = PaddedInput.of(x, xOff, g, (g.outW() - 1) * g.strideW() + L, false, xSwapped);
        int blocks = Gemm.ceilDiv(g.outputsPerGroup(), OB), units = g.groups() * blocks;
        int chunks = Math.clamp(Gemm.ceilDiv(Parallel.threads(), units), 1, g.n() * g.outH());
        var job = new Job(in, weights, wOff, wSwapped, out, outOff, g, blocks, chunks, Gemm.ceilDiv(g.kh() * in.rowLength(), L) * L);
        Parallel.forPieces(units * chunks, job::units);
        // The output is small (a weight gradient's size): its epilogue, if any, needs no threads.
        var epilogue = Epilogue.of(activation).withRowBias(bias, biasOff);
        for (int n = 0; n < g.n(); n++) epilogue.apply(out, outOff + n * g.o() * g.positions(), g.positions(), g.o(), g.positions(), 0, 0);
    }

    /** len: a padded kernel plane, KH rows of the input's row length, rounded up to whole vectors. */
    private record Job(PaddedInput in, float[] w, int wOff, boolean wSwapped, float[] out, int outOff, Geometry g, int blocks, int chunks, int len) {
        /**
         * Units [lo, hi), numbered (group, block, chunk of rows), a row r being output row r mod
         * OH of image r / OH: the images share the block's packed kernel planes.
         */
        void units(int lo, int hi) {
            int rows = g.n() * g.outH();
            for (int u = lo; u < hi; u++) {
                int chunk = u % chunks, b = u / chunks % blocks, gi = u / (chunks * blocks);
                unit(gi, b, rows * chunk / chunks, rows * (chunk + 1) / chunks);
            }
        }

        /** Rows [r0, r1) of channels 4b.. of group gi. */
        private void unit(int gi, int b, int r0, int r1) {
            int cg = g.channelsPerGroup(), oh = g.outH(), qBlocks = Gemm.ceilDiv(g.outW(), TB), tile = OB * TB * L;
            int images = (r1 - 1) / oh - r0 / oh + 1;
            int per = Math.max(1, CHUNK_FLOATS / (OB * len + images * in.plane())), cc = Math.min(per, cg);
            float[] packed = Scratch.floats(Scratch.KERNEL_ROWS, cc * OB * len);
            float[] sums = Scratch.floats(Scratch.SUMS, (r1 - r0) * qBlocks * tile);
            Arrays.fill(packed, 0, cc * OB * len, 0f);
            Arrays.fill(sums, 0, (r1 - r0) * qBlocks * tile, 0f);
            int s = g.strideH() * in.rowLength(), sw = g.strideW(), last = g.outW() - 1;
            for (int c0 = 0; c0 < cg; c0 += cc) {
                int count = Math.min(cc, cg - c0);
                pack(gi, b, c0, count, packed);
                for (int r = r0; r < r1; r++) {
                    int xs = in.offset() + r / oh * in.image() + (gi * cg + c0) * in.channel() + r % oh * s;
                    for (int qb = 0; qb < qBlocks; qb++) {
                        int q = qb * TB;
                        tile(xs + q * sw, (Math.min(q + 1, last) - q) * sw, (Math.min(q + 2, last) - q) * sw,
                                (Math.min(q + 3, last) - q) * sw, (Math.min(q + 4, last) - q) * sw,
                                packed, count, sums, ((r - r0) * qBlocks + qb) * tile);
                    }
                }
            }
            store(gi, b, r0, r1, sums);
        }

        /**
         * Kernel planes of input channels [c0, c0 + count) for the block's channels into
         * {@code packed[(c·4 + k)·len...]}, rows Wp apart; the gaps stay zero from the start.
         */
        private void pack(int gi, int b, int c0, int count, float[] packed) {
            int og = g.outputsPerGroup(), cg = g.channelsPerGroup(), kh = g.kh(), kw = g.kw(), row = in.rowLength();
            for (int c = 0; c < count; c++)
                for (int k = 0; k < OB; k++) {
                    int o = gi * og + Math.min(b * OB + k, og - 1), from = wOff + Conv2d.weightPlane(g, o, c0 + c, wSwapped) * kh * kw, to = (c * OB + k) * len;
                    for (int i = 0; i < kh; i++) System.arraycopy(w, from + i * kw, packed, to + i * row, kw);
                }
        }

        /**
         * Adds, for `count` input channels from the one at x offset {@code at}, the dot products of
         * the four packed kernel planes with the five input runs at {@code at}, {@code at + t1},
         * ... {@code at + t4} to the twenty accumulators at {@code sums[base...]} (tap-major).
         * No calls and no branches in the loops (see DirectConv).
         */
        private void tile(int at, int t1, int t2, int t3, int t4, float[] packed, int count, float[] sums, int base) {
            float[] x = in.data();
            int plane = in.channel(), n = len;
            FloatVector a00 = FloatVector.fromArray(S, sums, base), a01 = FloatVector.fromArray(S, sums, base + L);
            FloatVector a02 = FloatVector.fromArray(S, sums, base + 2 * L), a03 = FloatVector.fromArray(S, sums, base + 3 * L);
            FloatVector a10 = FloatVector.fromArray(S, sums, base + 4 * L), a11 = FloatVector.fromArray(S, sums, base + 5 * L);
            FloatVector a12 = FloatVector.fromArray(S, sums, base + 6 * L), a13 = FloatVector.fromArray(S, sums, base + 7 * L);
            FloatVector a20 = FloatVector.fromArray(S, sums, base + 8 * L), a21 = FloatVector.fromArray(S, sums, base + 9 * L);
            FloatVector a22 = FloatVector.fromArray(S, sums, base + 10 * L), a23 = FloatVector.fromArray(S, sums, base + 11 * L);
            FloatVector a30 = FloatVector.fromArray(S, sums, base + 12 * L), a31 = FloatVector.fromArray(S, sums, base + 13 * L);
            FloatVector a32 = FloatVector.fromArray(S, sums, base + 14 * L), a33 = FloatVector.fromArray(S, sums, base + 15 * L);
            FloatVector a40 = FloatVector.fromArray(S, sums, base + 16 * L), a41 = FloatVector.fromArray(S, sums, base + 17 * L);
            FloatVector a42 = FloatVector.fromArray(S, sums, base + 18 * L), a43 = FloatVector.fromArray(S, sums, base + 19 * L);
            for (int c = 0; c < count; c++) {
                int xb = at + c * plane, kb = c * OB * n;
                for (int e = 0; e < n; e += L) {
                    FloatVector k0 = FloatVector.fromArray(S, packed, kb + e), k1 = FloatVector.fromArray(S, packed, kb + n + e);
                    FloatVector k2 = FloatVector.fromArray(S, packed, kb + 2 * n + e), k3 = FloatVector.fromArray(S, packed, kb + 3 * n + e);
                    FloatVector v = FloatVector.fromArray(S, x, xb + e);
                    a00 = k0.fma(v, a00); a01 = k1.fma(v, a01); a02 = k2.fma(v, a02); a03 = k3.fma(v, a03);
                    v = FloatVector.fromArray(S, x, xb + t1 + e);
                    a10 = k0.fma(v, a10); a11 = k1.fma(v, a11); a12 = k2.fma(v, a12); a13 = k3.fma(v, a13);
                    v = FloatVector.fromArray(S, x, xb + t2 + e);
                    a20 = k0.fma(v, a20); a21 = k1.fma(v, a21); a22 = k2.fma(v, a22); a23 = k3.fma(v, a23);
                    v = FloatVector.fromArray(S, x, xb + t3 + e);
                    a30 = k0.fma(v, a30); a31 = k1.fma(v, a31); a32 = k2.fma(v, a32); a33 = k3.fma(v, a33);
                    v = FloatVector.fromArray(S, x, xb + t4 + e);
                    a40 = k0.fma(v, a40); a41 = k1.fma(v, a41); a42 = k2.fma(v, a42); a43 = k3.fma(v, a43);
                }
            }
            a00.intoArray(sums, base); a01.intoArray(sums, base + L); a02.intoArray(sums, base + 2 * L); a03.intoArray(sums, base + 3 * L);
            a10.intoArray(sums, base + 4 * L); a11.intoArray(sums, base + 5 * L); a12.intoArray(sums, base + 6 * L); a13.intoArray(sums, base + 7 * L);
            a20.intoArray(sums, base + 8 * L); a21.intoArray(sums, base + 9 * L); a22.intoArray(sums, base + 10 * L); a23.intoArray(sums, base + 11 * L);
            a30.intoArray(sums, base + 12 * L); a31.intoArray(sums, base + 13 * L); a32.intoArray(sums, base + 14 * L); a33.intoArray(sums, base + 15 * L);
            a40.intoArray(sums, base + 16 * L); a41.intoArray(sums, base + 17 * L); a42.intoArray(sums, base + 18 * L); a43.intoArray(sums, base + 19 * L);
        }

        /** Each accumulator of the unit whose channel and tap are real: its lanes added in order, into out. */
        private void store(int gi, int b, int r0, int r1, float[] sums) {
            int og = g.outputsPerGroup(), oh = g.outH(), ow = g.outW(), qBlocks = Gemm.ceilDiv(ow, TB);
            for (int r = r0; r < r1; r++)
                for (int qb = 0; qb < qBlocks; qb++)
                    for (int t = 0; t < TB && qb * TB + t < ow; t++)
                        for (int k = 0; k < OB && b * OB + k < og; k++) {
                            int from = (((r - r0) * qBlocks + qb) * TB * OB + t * OB + k) * L;
                            float sum = 0f;
                            for (int lane = 0; lane < L; lane++) sum += sums[from + lane];
                            out[outOff + ((r / oh * g.o() + gi * og + b * OB + k) * oh + r % oh) * ow + qb * TB + t] = sum;
                        }
        }
    }
}
