package dev.dlc.exec.cpu;

import dev.dlc.exec.cpu.Epilogue.Activation;
import dev.dlc.exec.cpu.Gemm.Operand;

/**
 * conv2d forward, NCHW, as the op table's CONV2D row defines it (PyTorch's cross-correlation):
 * x [N, C, H, W], weights [O, C/G, KH, KW], stride, padding (zeros), dilation and G groups. For
 * each image and group the convolution is one product, {@code out[O/G, OH·OW] = w[O/G, K] ·
 * col[K, OH·OW]} with K = C/G·KH·KW, where col (im2col) holds the input window of every output
 * position; a 1 × 1 kernel at stride 1 without padding reads x itself as col. The channel bias
 * and the activation run in the product's epilogue.
 *
 * <p>Images (times groups) are spread over the threads when there are enough of them, each
 * product then running on one thread; otherwise each product is split by {@link Gemm}. Either
 * way every output sums in the order Gemm fixes, so the thread count does not change a bit.
 *
 * <p>The VJPs of conv2d are convolutions too (see ConvVjps): dx is a stride-1 conv2d of the
 * padded gradient, shaped like a forward; dw is a conv2d of x with channels as the batch whose
 * "kernel" is the whole output plane, leaving a tiny output (KH × KW positions) over a huge K.
 * For such shapes the product is computed transposed ({@code [OH·OW, O/G]}, output channels
 * along the 64-wide tile) and transposed back, which wastes far less of the micro-kernel.
 */
public final class Conv2d {
    private Conv2d() {}

    /** im2col is done in column chunks of at most this many floats (1 MiB, half of L2), so col stays in cache for the product. */
    private static final int COL_FLOATS = 1 << 18;

    /** Sizes and attributes of one convolution: x [n, c, h, w] and weights [o, c/groups, kh, kw]. */
    public record Geometry(int n, int c, int h, int w, int o, int kh, int kw,
                           int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {
        public Geometry {
            if (groups < 1 || c % groups != 0 || o % groups != 0)
                throw new IllegalArgumentException("conv2d: " + c + " input and " + o + " output channels do not split into " + groups + " groups");
            if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || padH < 0 || padW < 0)
                throw new IllegalArgumentException("conv2d: stride and dilation must be positive, padding non-negative");
        }

        /** x [n, c, h, w] and weights [o, c/groups, kh, kw] with the same stride, padding and dilation both ways. */
        public static Geometry of(int[] x, int[] weights, int stride, int padding, int dilation, int groups) {
            return new Geometry(x[0], x[1], x[2], x[3], weights[0], weights[2], weights[3],
                    stride, stride, padding, padding, dilation, dilation, groups);
        }

        public int outH() { return (h + 2 * padH - dilationH * (kh - 1) - 1) / strideH + 1; }
        public int outW() { return (w + 2 * padW - dilationW * (kw - 1) - 1) / strideW + 1; }

        int channelsPerGroup() { return c / groups; }
        int outputsPerGroup() { return o / groups; }
        /** The product's inner size: one group's channels times the kernel window. */
        int depth() { return channelsPerGroup() * kh * kw; }
        int positions() { return outH() * outW(); }

        boolean pointwise() { return kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0; }

        /** The transposed product wastes less of the MR × NR tile (both products' padded areas compared). */
        boolean transposed() {
            int p = positions(), og = outputsPerGroup(), mr = MicroKernel.MR, nr = MicroKernel.NR;
            return (long) Gemm.ceilDiv(p, mr) * mr * Gemm.ceilDiv(og, nr) * nr
                    < (long) Gemm.ceilDiv(og, mr) * mr * Gemm.ceilDiv(p, nr) * nr;
        }
    }

    /**
     * {@code out[n, o, y, x] = act(Σ w · x_window + bias[o])}, x, weights and out row-major at
     * their offsets; {@code bias} (null for none) holds one value per output channel.
     */
    public static void forward(float[] x, int xOff, float[] weights, int wOff, float[] bias, int biasOff,
                               float[] out, int outOff, Geometry g, Activation activation) {
        if (g.outH() < 1 || g.outW() < 1) throw new IllegalArgumentException("conv2d: the kernel is larger than the padded input");
        int items = g.n() * g.groups();
        var job = new Job(x, xOff, weights, wOff, bias, biasOff, out, outOff, g, activation);
        if (items >= Parallel.threads()) Parallel.forRange(items, job::items);
        else job.items(0, items);
    }

    private record Job(float[] x, int xOff, float[] weights, int wOff, float[] bias, int biasOff,
                       float[] out, int outOff, Geometry g, Activation activation) {
        void items(int lo, int hi) {
            for (int t = lo; t < hi; t++) item(t / g.groups(), t % g.groups());
        }

        /** Image i, group gi: one product. */
        private void item(int i, int gi) {
            int og = g.outputsPerGroup(), k = g.depth(), p = g.positions();
            int xo = xOff + (i * g.c() + gi * g.channelsPerGroup()) * g.h() * g.w();
            int oo = outOff + (i * g.o() + gi * og) * p;
            var w = new Operand(weights, wOff + gi * og * k, k, false);
            var epilogue = Epilogue.of(activation);
            if (g.transposed()) {
                transposedProduct(xo, w, oo, bias == null ? epilogue : epilogue.withColBias(bias, biasOff + gi * og));
                return;
            }
            if (bias != null) epilogue = epilogue.withRowBias(bias, biasOff + gi * og);
            if (g.pointwise()) {
                Gemm.multiply(og, p, k, w, new Operand(x, xo, p, false), new Operand(out, oo, p, false), false, epilogue);
                return;
            }
            int chunk = Math.min(p, Math.max(MicroKernel.NR, COL_FLOATS / k / MicroKernel.NR * MicroKernel.NR));
            float[] col = Scratch.col(k * chunk);
            for (int p0 = 0; p0 < p; p0 += chunk) {
                int pc = Math.min(chunk, p - p0);
                Im2col.fill(x, xo, g, p0, pc, col);
                Gemm.multiply(og, pc, k, w, new Operand(col, 0, pc, false), new Operand(out, oo + p0, p, false), false, epilogue);
            }
        }

        /** {@code outᵀ[P, O/G] = colᵀ · wᵀ}, computed into scratch and transposed into out. */
        private void transposedProduct(int xo, Operand w, int oo, Epilogue epilogue) {
            int og = g.outputsPerGroup(), k = g.depth(), p = g.positions();
            Operand col;
            if (g.pointwise()) col = new Operand(x, xo, p, true);
            else {
                float[] buffer = Scratch.col(k * p);
                Im2col.fill(x, xo, g, 0, p, buffer);
                col = new Operand(buffer, 0, p, true);
            }
            float[] t = Scratch.product(p * og);
            Gemm.multiply(p, og, k, col, w.t(), Operand.of(t, og), false, epilogue);
            for (int o = 0; o < og; o++)
                for (int q = 0; q < p; q++) out[oo + o * p + q] = t[q * og + o];
        }
    }

    /** Each thread's im2col and product buffers, grown as needed and kept. */
    private static final class Scratch {
        private static final ThreadLocal<float[][]> LOCAL = ThreadLocal.withInitial(() -> new float[2][0]);

        static float[] col(int n) { return get(0, n); }
        static float[] product(int n) { return get(1, n); }

        private static float[] get(int which, int n) {
            float[][] s = LOCAL.get();
            if (s[which].length < n) s[which] = new float[n];
            return s[which];
        }
    }
}
