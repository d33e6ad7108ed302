package dev.dlc.exec.cpu;

import dev.dlc.exec.cpu.Epilogue.Activation;
import dev.dlc.exec.cpu.Gemm.Operand;

/**
 * conv2d forward, NCHW, as the op table's CONV2D row defines it (PyTorch's cross-correlation):
 * x [N, C, H, W], weights [O, C/G, KH, KW], stride, padding (zeros), dilation and G groups. For
 * each image and group the convolution is one product, {@code out[O/G, OH·OW] = w[O/G, K] ·
 * col[K, OH·OW]} with K = C/G·KH·KW, where col (im2col) holds the input window of every output
 * position. col is never stored: {@link Im2col} packs its GEMM panels straight from the image;
 * a 1 × 1 kernel at stride 1 without padding reads x itself. The channel bias and the
 * activation run in the product's epilogue. Shapes with few output channels (at most 16 per
 * group), few taps, or few outputs per channel, where packing would cost more than the
 * arithmetic, are computed directly instead ({@link #path}, by shape only), with register
 * blocks of at least ten fma chains:
 * <ol>
 * <li>{@link ChannelConv}: stride 1, exactly 16 channels, rows at least 5 wide (LeNet's conv2
 *     and its weight gradient): a vector across the channels, every lane an output;
 * <li>{@link DotConv}: a kernel larger than the output (the other weight gradients, below)
 *     with at most 16 channels, or any number when each has few outputs (a first layer's
 *     weight gradient): each output a dot product of two flattened planes;
 * <li>{@link DirectConv}: the rest at stride 1 with at most 16 channels or at most 25 taps
 *     (LeNet's conv1, a one-channel first layer, the input gradients): vectors along output
 *     rows, six channels at a time.
 * </ol>
 *
 * <p>Images (times groups) are spread over the threads when there are enough of them, each
 * product then running on one thread; otherwise each product is split by {@link Gemm}. Either
 * way every output sums in the order Gemm fixes, so the thread count does not change a bit.
 *
 * <p>The VJPs of conv2d are convolutions too (see ConvVjps): dx is a stride-1 conv2d of the
 * padded gradient, shaped like a forward; dw is a conv2d of x with channels as the batch whose
 * "kernel" is the whole output plane, leaving a tiny output (KH × KW positions) over a huge K.
 * With few output channels ChannelConv or DotConv takes it. Otherwise, per image, that product
 * would fill a few columns of each 64-wide tile. When it pays ({@link Geometry#transposed}) the
 * batch is folded into one product instead, transposed so that output channels run along the
 * tile: {@code [N·OH·OW, O/G] = colᵀ · wᵀ}, then transposed into out. That product packs no
 * windows: its A is gathered in place from a padded copy of x (a row's offset is its window's
 * start, a k's the offset of its tap), which makes it the cheaper one for most layers,
 * forwards included; the per-image product remains for small K (few input channels), where
 * transposing the output would cost more than the arithmetic.
 */
public final class Conv2d {
    private Conv2d() {}

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
            if (weights[1] * groups != x[1])
                throw new IllegalArgumentException("conv2d: input has " + x[1] + " channels but the weight expects " + weights[1] * groups);
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

        /** Whether the one window is the whole input: no padding, no dilation, one group, a kernel of x's plane larger than 1 × 1 ({@link #full}). */
        boolean full() {
            return kh == h && kw == w && padH == 0 && padW == 0 && dilationH == 1 && dilationW == 1 && groups == 1 && (kh > 1 || kw > 1);
        }

        /**
         * Whether the batch-folded transposed product ({@code N·P} rows, O/G columns) is cheaper
         * than N per-image products (O/G rows, P columns): each one's padded MR × NR tile area
         * times its overhead. The folded product reads its windows in place but transposes its
         * N·P·O/G outputs, about 62/K of its arithmetic (K the depth); a per-image one copies
         * runs of each window row, about 37/(O/G), and repacks the weights for every image,
         * about 37/P (fitted here, Zen 5, batch 16: 64 channels on 56 × 56 planes, 13 ms folded
         * against 27 per image; 3 channels at 224 × 224, K = 27, 35-46 against 23).
         */
        boolean transposed() {
            // A 1 × 1 kernel's folded product reads each k of a row a whole plane after the last
            // (the window matrix is x's channels): on planes of 16 × 16 and more its rows miss
            // in cache, and the per-image product, which reads x itself, is faster (256
            // channels on 26 × 26 at batch 16: 13-17 ms folded against 6-10; 96 on 54 × 54: 23
            // against 5-8; 12 × 12 and 6 × 6 planes fold faster, as the estimate below says)
            if (pointwise() && positions() >= 256) return false;
            int mr = MicroKernel.MR, nr = MicroKernel.NR, p = positions(), og = outputsPerGroup(), k = depth();
            double folded = (double) Gemm.ceilDiv(n * p, mr) * mr * Gemm.ceilDiv(og, nr) * nr * (1 + 62.0 / k);
            double perImage = (double) n * Gemm.ceilDiv(og, mr) * mr * Gemm.ceilDiv(p, nr) * nr * (1 + 37.0 / og + 37.0 / p);
            return folded <= perImage;
        }
    }

    /**
     * {@code out[n, o, y, x] = act(Σ w · x_window + bias[o])}, x, weights and out row-major at
     * their offsets; {@code bias} (null for none) holds one value per output channel.
     */
    public static void forward(float[] x, int xOff, float[] weights, int wOff, float[] bias, int biasOff,
                               float[] out, int outOff, Geometry g, Activation activation) {
        forward(x, xOff, weights, wOff, bias, biasOff, out, outOff, g, activation, false, false);
    }

    /**
     * {@link #forward} with x stored [C, N, H, W] ({@code xSwapped}) and the weights stored
     * [C/G, O, KH, KW] ({@code wSwapped}): their first two axes swapped, as a weight gradient's
     * operands are (x and the output gradient with channels as the batch, see ConvVjps). The
     * generated code passes the source of such a permute instead of running it (LeNet: three
     * copies of activations a step). Each path reads them where they lie (the direct ones
     * copy x padded, or read it with the strides swapped, and repack their weights anyway);
     * only the per-image product copies a swapped operand back first. The sums are the same,
     * bit for bit, as those of the plain layout.
     */
    public static void forward(float[] x, int xOff, float[] weights, int wOff, float[] bias, int biasOff,
                               float[] out, int outOff, Geometry g, Activation activation, boolean xSwapped, boolean wSwapped) {
        forward(x, xOff, weights, wOff, bias, biasOff, out, outOff, g, activation, xSwapped, wSwapped, false);
    }

    /**
     * {@link #forward} with the weights also stored flipped ({@code wFlipped}, with wSwapped):
     * each plane of KH × KW taps in reverse order, as an input gradient's weights are (the
     * forward's weights, flipped and swapped; see ConvVjps). The generated code passes the
     * forward's weights instead of copying them (ResNet-18's 512-channel layers: 4-5 ms a copy,
     * its reads a plane 18 KB from the last). The batch-folded product packs them as they lie;
     * the other paths copy them plain first (a few thousand floats where they are taken).
     */
    public static void forward(float[] x, int xOff, float[] weights, int wOff, float[] bias, int biasOff,
                               float[] out, int outOff, Geometry g, Activation activation, boolean xSwapped, boolean wSwapped, boolean wFlipped) {
        if (g.outH() < 1 || g.outW() < 1) throw new IllegalArgumentException("conv2d: the kernel is larger than the padded input");
        if (wFlipped && !wSwapped) throw new IllegalArgumentException("conv2d: flipped weights are read swapped only");
        Path path = path(g);
        if (wFlipped && path != Path.TRANSPOSED) {
            float[] plain = unswapped(weights, wOff, g.o(), g.channelsPerGroup(), g.kh() * g.kw(), Scratch.UNSWAPPED_W, true);
            forward(x, xOff, plain, 0, bias, biasOff, out, outOff, g, activation, xSwapped, false, false);
            return;
        }
        switch (path) {
            case FULL -> full(x, xOff, xSwapped, weights, wOff, wSwapped, bias, biasOff, out, outOff, g, activation, false);
            case CHANNEL -> ChannelConv.forward(x, xOff, xSwapped, weights, wOff, wSwapped, bias, biasOff, out, outOff, g, activation);
            case DOT -> DotConv.forward(x, xOff, xSwapped, weights, wOff, wSwapped, bias, biasOff, out, outOff, g, activation);
            case DIRECT -> {
                // its leftover channels read the weights as they lie: plain ones, then (a few thousand floats)
                float[] w = wSwapped ? unswapped(weights, wOff, g.o(), g.channelsPerGroup(), g.kh() * g.kw(), Scratch.UNSWAPPED_W) : weights;
                DirectConv.forward(x, xOff, xSwapped, w, wSwapped ? 0 : wOff, bias, biasOff, out, outOff, g, activation);
            }
            case TRANSPOSED -> {
                var job = new Job(x, xOff, weights, wOff, wSwapped, wFlipped, bias, biasOff, out, outOff, g, activation);
                var in = PaddedInput.of(x, xOff, g, 0, true, xSwapped);
                for (int gi = 0; gi < g.groups(); gi++) job.transposedProduct(in, gi, false);
            }
            case GEMM -> {
                float[] xs = xSwapped ? unswapped(x, xOff, g.n(), g.c(), g.h() * g.w(), Scratch.UNSWAPPED_X) : x;
                float[] ws = wSwapped ? unswapped(weights, wOff, g.o(), g.channelsPerGroup(), g.kh() * g.kw(), Scratch.UNSWAPPED_W) : weights;
                perImage(new Job(xs, xSwapped ? 0 : xOff, ws, wSwapped ? 0 : wOff, false, false, bias, biasOff, out, outOff, g, activation));
            }
        }
    }

    /**
     * A [B, A, rest] array at {@code off} copied [A, B, rest] into this thread's scratch
     * {@code slot}: a swapped operand in the layout its shape says.
     */
    private static float[] unswapped(float[] src, int off, int a, int b, int rest, int slot) {
        return unswapped(src, off, a, b, rest, slot, false);
    }

    /**
     * {@link #unswapped}, each run of {@code rest} also reversed when {@code reversed} (flipped
     * weights). In blocks of 16 × 16 runs: run by run along one side, the other stepped
     * a·rest floats at every run (18 KB for ResNet-18's 512-channel weights).
     */
    private static float[] unswapped(float[] src, int off, int a, int b, int rest, int slot, boolean reversed) {
        float[] to = Scratch.floats(slot, a * b * rest);
        final int block = 16;
        Parallel.forPieces(Gemm.ceilDiv(a, block), (lo, hi) -> {
            for (int i0 = lo * block, end = Math.min(a, hi * block); i0 < end; i0 += block)
                for (int j0 = 0; j0 < b; j0 += block)
                    for (int j = j0, j1 = Math.min(b, j0 + block); j < j1; j++)
                        for (int i = i0, i1 = Math.min(end, i0 + block); i < i1; i++) {
                            int from = off + (j * a + i) * rest, at = (i * b + j) * rest;
                            if (!reversed) System.arraycopy(src, from, to, at, rest);
                            else for (int t = 0; t < rest; t++) to[at + t] = src[from + rest - 1 - t];
                        }
        });
        return to;
    }

    /**
     * Where weight (o, c) starts, o of all O and c of its group's channels, in planes of KH·KW
     * from the weights' first: [O, C/G, KH, KW], or [C/G, O, KH, KW] when swapped.
     */
    static int weightPlane(Geometry g, int o, int c, boolean swapped) {
        return swapped ? c * g.o() + o : o * g.channelsPerGroup() + c;
    }

    /**
     * {@link #forward} without bias or activation, out written [O, N, OH, OW]: the first two axes
     * swapped. A weight gradient is such a convolution (x's channels as its batch) followed by
     * that swap; written swapped, the gradient is laid out as its weights are, and the optimizer
     * update streams through both (ResNet-18's update read [C, O, 3, 3] in rows of 3: 26-31 ms a
     * step). Only a batch-folded product ({@link Path#TRANSPOSED}), which scatters its result
     * anyway, or a batch of one, where the two layouts are the same.
     */
    public static void forwardSwapped(float[] x, int xOff, float[] weights, int wOff, float[] out, int outOff, Geometry g) {
        forwardSwapped(x, xOff, weights, wOff, out, outOff, g, false, false);
    }

    /** {@link #forwardSwapped} from operands stored swapped, as {@link #forward} takes them. */
    public static void forwardSwapped(float[] x, int xOff, float[] weights, int wOff, float[] out, int outOff, Geometry g,
                                      boolean xSwapped, boolean wSwapped) {
        if (!swappable(g)) throw new IllegalArgumentException("conv2d: this shape is not written with its first two axes swapped");
        if (g.n() == 1) {
            forward(x, xOff, weights, wOff, null, 0, out, outOff, g, Activation.NONE, xSwapped, wSwapped);
            return;
        }
        if (g.full()) {
            full(x, xOff, xSwapped, weights, wOff, wSwapped, null, 0, out, outOff, g, Activation.NONE, true);
            return;
        }
        new Job(x, xOff, weights, wOff, wSwapped, false, null, 0, out, outOff, g, Activation.NONE)
                .transposedProduct(PaddedInput.of(x, xOff, g, 0, true, xSwapped), 0, true);
    }

    /** Whether {@link #forwardSwapped} takes this shape. */
    static boolean swappable(Geometry g) {
        return g.outH() >= 1 && g.outW() >= 1 && (g.n() == 1 || g.full() || g.groups() == 1 && path(g) == Path.TRANSPOSED);
    }

    /**
     * A convolution whose one window is the whole input (a 1 × 1 convolution's weight gradient:
     * x [N, C, H, W] and weights [O, C, H, W] give out [N, O, 1, 1]) is a product of x's rows and
     * the weights' rows, {@code out[n, o] = Σ_c Σ_hw x[n, c, hw] · w[o, c, hw]}: C products
     * of K = H·W summed in order, whatever the operands' layouts (a channel's [N, H·W] or
     * [O, H·W] block is rows of x or the weights either way, contiguous when stored swapped), so
     * the layouts give the same bits. Gathered in the batch-folded product, K of 9,216 read a
     * tap table as long, for a 64 × 64 output: 20 GFLOP/s (GoogLeNet's 1 × 1 weight
     * gradients). {@code swappedOut}: out written [O, N], as {@link #forwardSwapped} does.
     */
    private static void full(float[] x, int xOff, boolean xSwapped, float[] w, int wOff, boolean wSwapped, float[] bias, int biasOff,
                             float[] out, int outOff, Geometry g, Activation activation, boolean swappedOut) {
        int n = g.n(), c = g.c(), o = g.o(), hw = g.h() * g.w();
        var last = Epilogue.of(activation);
        if (bias != null) last = swappedOut ? last.withRowBias(bias, biasOff) : last.withColBias(bias, biasOff);
        // A is read in place, its rows gathered (a packed A, six rows interleaved a float at a
        // time, cost as much as half the fmas of 96 × 96 products: NiN's 1 × 1 weight
        // gradients on 54 × 54 planes); the gathered tile sums as the packed one, bit for bit
        int[] ks = new int[hw];
        for (int p = 0; p < hw; p++) ks[p] = p;
        for (int ci = 0; ci < c; ci++) {
            // x's rows [N, H·W] and the weights' rows [O, H·W] of channel ci
            var xs = new Gemm.Operand(x, xOff + (xSwapped ? ci * n * hw : ci * hw), xSwapped ? hw : c * hw, false);
            var ws = new Gemm.Operand(w, wOff + (wSwapped ? ci * o * hw : ci * hw), wSwapped ? hw : c * hw, false);
            var epilogue = ci == c - 1 ? last : Epilogue.of(Activation.NONE);
            var a = swappedOut ? ws : xs;
            var bt = (swappedOut ? xs : ws).t();
            int m = swappedOut ? o : n, cols = swappedOut ? n : o;
            int[] rows = new int[m];
            for (int i = 0; i < m; i++) rows[i] = a.offset() + i * a.ld();
            Gemm.multiplyGathered(m, cols, hw, new Gemm.Gathered(a.data(), rows, ks), (j0, nc, p0, kc, to, from) -> Packing.packB(bt, j0, nc, p0, kc, to, from),
                    new Gemm.Operand(out, outOff, cols, false), ci > 0, epilogue);
        }
    }

    /** The kernels a convolution may take; which one depends on its shape only. */
    enum Path { FULL, CHANNEL, DOT, DIRECT, TRANSPOSED, GEMM }

    static Path path(Geometry g) {
        if (g.full()) return Path.FULL;
        if (ChannelConv.suits(g)) return Path.CHANNEL;
        if (DotConv.suits(g)) return Path.DOT;
        if (DirectConv.suits(g)) return Path.DIRECT;
        return g.transposed() ? Path.TRANSPOSED : Path.GEMM;
    }

    /** One product per image and group: images over the threads when there are enough, else each product split by Gemm. */
    private static void perImage(Job job) {
        Geometry g = job.g();
        int items = g.n() * g.groups();
        if (items >= Parallel.threads()) Parallel.forPieces(items, job::items);
        else job.items(0, items);
    }

    /** wSwapped: the weights are stored [C/G, O, KH, KW], wFlipped: each plane's taps reversed too (a batch-folded product only). */
    private record Job(float[] x, int xOff, float[] weights, int wOff, boolean wSwapped, boolean wFlipped, float[] bias, int biasOff,
                       float[] out, int outOff, Geometry g, Activation activation) {
        void items(int lo, int hi) {
            for (int t = lo; t < hi; t++) product(t / g.groups(), t % g.groups());
        }

        /** Group gi's weights [O/G, K]. */
        private Operand weights(int gi) {
            return new Operand(weights, wOff + gi * g.outputsPerGroup() * g.depth(), g.depth(), false);
        }

        /** Image i, group gi: {@code out[O/G, P] = w · col}, col packed from the image (or x itself for a 1 × 1 kernel). */
        private void product(int i, int gi) {
            int og = g.outputsPerGroup(), k = g.depth(), p = g.positions();
            int xo = xOff + (i * g.c() + gi * g.channelsPerGroup()) * g.h() * g.w();
            var c = new Operand(out, outOff + (i * g.o() + gi * og) * p, p, false);
            var epilogue = Epilogue.of(activation);
            if (bias != null) epilogue = epilogue.withRowBias(bias, biasOff + gi * og);
            Operand w = weights(gi);
            if (g.pointwise()) {
                Gemm.multiply(og, p, k, w, new Operand(x, xo, p, false), c, false, epilogue);
                return;
            }
            Gemm.multiplyPacked(og, p, k, (i0, mc, p0, kc, to) -> Packing.packA(w, i0, mc, p0, kc, to),
                    (j0, nc, p0, kc, to, from) -> Im2col.packColumns(x, xo, g, j0, nc, p0, kc, to, from), c, false, epilogue);
        }

        /**
         * Group gi over the whole batch: {@code t[N·P, O/G] = colᵀ · wᵀ}, rows (image, position),
         * windows read from {@code in} (x padded), computed in scratch and transposed into out,
         * [N, O, P] or (swapped, one group) [O, N, P].
         */
        void transposedProduct(PaddedInput in, int gi, boolean swapped) {
            int og = g.outputsPerGroup(), p = g.positions(), rows = g.n() * p;
            var epilogue = Epilogue.of(activation);
            if (bias != null) epilogue = epilogue.withColBias(bias, biasOff + gi * og);
            Operand wt = weights(gi).t();
            int taps = g.kh() * g.kw(), wg = wOff + gi * og * taps;
            Gemm.ColumnPanels b = wSwapped ? (j0, nc, p0, kc, to, from) -> Packing.packSwappedB(weights, wg, g.o(), taps, j0, nc, p0, kc, to, from, wFlipped)
                    : (j0, nc, p0, kc, to, from) -> Packing.packB(wt, j0, nc, p0, kc, to, from);
            var windows = new Gemm.Gathered(in.data(), in.windows(g, gi), in.taps(g));
            if (swapped && g.depth() <= Gemm.KC && epilogue.isIdentity()) {
                // [O, N·P] is the product transposed, and one K slice writes each tile once: the
                // tiles go there straight (ResNet-18's 512-channel weight gradient at batch 16
                // wrote and read 9.4 MB of scratch to transpose it: 6.2-8.3 ms, now 3.2-3.4)
                Gemm.multiplyGathered(rows, og, g.depth(), windows, b, new Operand(out, outOff, rows, true), false, epilogue);
                return;
            }
            float[] t = Scratch.floats(Scratch.PRODUCT, rows * og);
            Gemm.multiplyGathered(rows, og, g.depth(), windows, b, Operand.of(t, og), false, epilogue);
            // Both layouts are transposes of t: [O, N·P] for the swapped one, [O/G, P] per image otherwise.
            // the swapped one in pieces of whole blocks of columns: a narrower piece transposes by scalars
            if (swapped) Parallel.forPieces(Gemm.ceilDiv(og, VectorMath.BLOCK), (lo, hi) -> {
                int j0 = lo * VectorMath.BLOCK, j1 = Math.min(og, hi * VectorMath.BLOCK);
                VectorMath.transpose(t, j0, rows, j1 - j0, og, out, outOff + j0 * rows, rows);
            });
            else Parallel.forPieces(g.n(), (lo, hi) -> {
                for (int n = lo; n < hi; n++)
                    VectorMath.transpose(t, n * p * og, p, og, og, out, outOff + (n * g.o() + gi * og) * p, p);
            });
        }
    }
}
