package dev.dlc.exec.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * max_pool2d and avg_pool2d forward, NCHW, as the op table's rows define them: padding reads
 * -inf for max (it never wins) and 0 for the average, which always divides by kh · kw
 * (PyTorch's count_include_pad). Planes (image, channel) are spread over the threads; each
 * average is one window's sum in a fixed order (a max is the same value in any order).
 */
public final class Pool2d {
    private Pool2d() {}

    /** x [n, c, h, w], a kh × kw window moved by (strideH, strideW) over x padded by (padH, padW). */
    public record Window(int n, int c, int h, int w, int kh, int kw, int strideH, int strideW, int padH, int padW) {
        public Window {
            if (kh < 1 || kw < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0)
                throw new IllegalArgumentException("pool2d: kernel and stride must be positive, padding non-negative");
        }

        public int outH() { return (h + 2 * padH - kh) / strideH + 1; }
        public int outW() { return (w + 2 * padW - kw) / strideW + 1; }

        /** Whether the windows tile x: stride = kernel, no padding (any rows or columns left over are never read). */
        boolean tiles() { return strideH == kh && strideW == kw && padH == 0 && padW == 0; }
    }

    public static void max(float[] x, int xOff, float[] out, int outOff, Window win) { run(x, xOff, out, outOff, win, true); }

    public static void avg(float[] x, int xOff, float[] out, int outOff, Window win) { run(x, xOff, out, outOff, win, false); }

    private static void run(float[] x, int xOff, float[] out, int outOff, Window win, boolean max) {
        int oh = win.outH(), ow = win.outW(), in = win.h() * win.w();
        if (win.tiles() && win.kw() == 2 && win.w() % 2 == 0) {
            Parallel.forPieces(win.n() * win.c(), (lo, hi) -> pairs(x, xOff, out, outOff, win, max, lo, hi));
            return;
        }
        if (win.tiles()) {
            Parallel.forPieces(win.n() * win.c(), (lo, hi) -> tiles(x, xOff, out, outOff, win, max, lo, hi));
            return;
        }
        if (max && across(win)) {
            Parallel.forPieces(Gemm.ceilDiv(win.n() * win.c(), S.length()), (lo, hi) -> maxAcross(x, xOff, out, outOff, win, lo, hi));
            return;
        }
        if (max) {
            Parallel.forPieces(win.n() * win.c(), (lo, hi) -> separable(x, xOff, out, outOff, win, lo, hi));
            return;
        }
        Parallel.forPieces(win.n() * win.c(), (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++)
                for (int y = 0; y < oh; y++)
                    for (int z = 0; z < ow; z++)
                        out[outOff + (plane * oh + y) * ow + z] = window(x, xOff + plane * in, win, y, z, max);
        });
    }

    /**
     * max_pool2d's gradient (the op table's MAX_POOL2D_GRAD): each window's g shared by the
     * window's elements equal to its max, windows in row-major order (ties among padding only
     * when the whole window is -inf: their share is dropped; a window with a NaN, which equals
     * nothing, adds g·0/0 to each of its elements, as the IR formula did). Planes over the
     * threads; each plane's sums in a fixed order.
     */
    public static void maxGrad(float[] x, int xOff, float[] g, int gOff, float[] dx, int dxOff, Window win) {
        if (win.tiles() && win.kh() == 2 && win.kw() == 2) {
            Parallel.forPieces(win.n() * win.c(), (lo, hi) -> gradPairs(x, xOff, g, gOff, dx, dxOff, win, lo, hi));
            return;
        }
        if (across(win)) {
            Parallel.forPieces(Gemm.ceilDiv(win.n() * win.c(), S.length()), (lo, hi) -> gradAcross(x, xOff, g, gOff, dx, dxOff, win, lo, hi));
            return;
        }
        Parallel.forPieces(win.n() * win.c(), (lo, hi) -> {
            int size = win.outH() * stuffedWidth(win);
            float[] xs = Scratch.floats(Scratch.PADDED_PLANE, (win.h() + 2 * win.padH()) * paddedRow(win));
            float[] maxima = Scratch.floats(Scratch.MAXIMA, size), shares = Scratch.floats(Scratch.SHARES, size);
            for (int plane = lo; plane < hi; plane++) gradPlane(x, xOff, g, gOff, dx, dxOff, win, plane, xs, maxima, shares);
        });
    }

    /**
     * One plane (rows at least a vector wide, windows at stride 1; see {@link #across}), over
     * copies laid out so that every load is a whole vector inside its array (a masked load
     * reaching outside it ran the Vector API's slow path: 290 ms for GoogLeNet's pools), in two
     * passes:
     * <ol>
     * <li>each window's max and ties, read from x padded with -inf (which ties only a window of
     *     -inf); the max and the share of g (g / ties; g·0/0, NaN, without ties) go to rows
     *     with kw zeros before the windows and room after them;
     * <li>each element of dx gathers its windows' terms, window offsets (i, j) in row-major order
     *     (window (r + ph - i, c + pw - j)): the IR's order, and no scatter. A non-tie's term is
     *     0, or the NaN share of a window whose max is NaN (it held a NaN, and nothing equals its
     *     max); a zero past the windows adds 0.
     * </ol>
     * (Window by window, scalar: GoogLeNet's inception pools 23 ms, now 2.7; ResNet-18's first
     * pool 14 ms, now 5.)
     */
    private static void gradPlane(float[] x, int xOff, float[] g, int gOff, float[] dx, int dxOff, Window win, int plane,
                                  float[] xs, float[] maxima, float[] shares) {
        int h = win.h(), w = win.w(), oh = win.outH(), ow = win.outW(), kh = win.kh(), kw = win.kw();
        int ph = win.padH(), pw = win.padW(), L = S.length();
        int in = xOff + plane * h * w, out = dxOff + plane * h * w, gp = gOff + plane * oh * ow;
        int rows = h + 2 * ph, part = paddedRow(win), width = stuffedWidth(win);
        Arrays.fill(xs, 0, rows * part, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < h; r++) System.arraycopy(x, in + r * w, xs, (r + ph) * part + pw, w);
        Arrays.fill(shares, 0, oh * width, 0f);
        var one = FloatVector.broadcast(S, 1f);
        var none = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int y = 0; y < oh; y++)
            for (int z = 0; z < ow; z += L) {
                VectorMask<Float> live = S.indexInRange(z, ow);
                var max = none;
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) max = max.max(FloatVector.fromArray(S, xs, (y + i) * part + j + z));
                var ties = FloatVector.zero(S);
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) ties = ties.add(one, FloatVector.fromArray(S, xs, (y + i) * part + j + z).eq(max));
                var gz = FloatVector.fromArray(S, g, gp + y * ow + z, live);
                var share = gz.blend(gz.mul(0f), ties.eq(0f)).div(ties);
                int at = y * width + kw + z;
                max.intoArray(maxima, at, live);
                share.intoArray(shares, at, live);
            }
        var zero = FloatVector.zero(S);
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c += L) {
                VectorMask<Float> live = S.indexInRange(c, w);
                // the padded copy holds the row whole: no masked load
                var v = FloatVector.fromArray(S, xs, (r + ph) * part + pw + c);
                var acc = zero;
                // the window rows reaching row r: r + ph - i, for offsets i that leave it in range
                for (int i = 0, y = r + ph; i < kh && y >= 0; i++, y--) {
                    if (y >= oh) continue;
                    for (int j = 0; j < kw; j++) {
                        int at = y * width + kw + c + pw - j;
                        var share = FloatVector.fromArray(S, shares, at);
                        var mx = FloatVector.fromArray(S, maxima, at);
                        acc = acc.add(zero.blend(share, v.eq(mx).or(mx.test(VectorOperators.IS_NAN))));
                    }
                }
                acc.intoArray(dx, out + r * w + c, live);
            }
    }

    /**
     * Whether {@link #gradAcross} takes the gradient: rows narrower than a vector (the 6 × 6 and
     * 3 × 3 planes of GoogLeNet's inception pools), where {@link #gradPlane}'s vectors along a
     * row are mostly empty lanes and its per-plane set-up dominates (11-13 ns an element, now
     * 2.5-4.5), and strided windows, which gradPlane scatters lane by lane into its stuffed rows
     * (ResNet-18's and GoogLeNet's first pools, 3 × 3 at stride 2 on 48 × 48: 5.6-7.7 ms against
     * 2.9). Wide rows at stride 1 stay with gradPlane (about the same time).
     */
    static boolean across(Window win) { return win.w() < S.length() || win.strideH() > 1 || win.strideW() > 1; }

    /**
     * Groups [lo, hi) of {@code L} planes, a plane a lane: x and g transposed so that an
     * element's L planes are one vector, every window's index arithmetic done once for the L
     * planes, and dx transposed back. Window by window, last to first: its max and ties (a
     * padded tap is -inf: it ties only a window whose max is -inf, counted as such), then its
     * share added to each tied element (to every element when the max is NaN: the window held
     * one). An element thus sums its windows' terms in {@link #gradPlane}'s order, window
     * offsets (i, j) row-major being windows (y, z) from the last, with the same bits. (Gathered
     * instead, each element tested all KH × KW window offsets for windows reaching it, branches
     * a stride made unpredictable: GoogLeNet's first two pools, 3 × 3 at stride 2, took 9.1 and
     * 7.2 ms a step, all its max-pool gradients 43-46 ms; now 24-27. Kept inline: moved to a
     * method of its own, the window ran 18 ms in one JVM and 140-160 in the next.)
     */
    private static void gradAcross(float[] x, int xOff, float[] g, int gOff, float[] dx, int dxOff, Window win, int lo, int hi) {
        int L = S.length(), h = win.h(), w = win.w(), oh = win.outH(), ow = win.outW(), hw = h * w, ohw = oh * ow, planes = win.n() * win.c();
        int kh = win.kh(), kw = win.kw(), sh = win.strideH(), sw = win.strideW(), ph = win.padH(), pw = win.padW();
        float[] xt = Scratch.floats(Scratch.ACROSS_X, hw * L), dt = Scratch.floats(Scratch.ACROSS_DX, hw * L);
        float[] gt = Scratch.floats(Scratch.ACROSS_G, ohw * L);
        var one = FloatVector.broadcast(S, 1f);
        var none = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        var zero = FloatVector.zero(S);
        for (int q = lo; q < hi; q++) {
            int p0 = q * L, count = Math.min(L, planes - p0);
            toLanes(x, xOff + p0 * hw, hw, count, xt);
            toLanes(g, gOff + p0 * ohw, ohw, count, gt);
            Arrays.fill(dt, 0, hw * L, 0f);
            for (int y = oh - 1; y >= 0; y--)
                for (int z = ow - 1; z >= 0; z--) {
                    // the window's taps inside x: rows [i0, i1), columns [j0, j1) of the window
                    int top = y * sh - ph, left = z * sw - pw;
                    int i0 = Math.max(0, -top), i1 = Math.min(kh, h - top), j0 = Math.max(0, -left), j1 = Math.min(kw, w - left);
                    int padded = kh * kw - Math.max(0, i1 - i0) * Math.max(0, j1 - j0);
                    var max = none;
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++) max = max.max(FloatVector.fromArray(S, xt, ((top + i) * w + left + j) * L));
                    var ties = zero;
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++) ties = ties.add(one, FloatVector.fromArray(S, xt, ((top + i) * w + left + j) * L).eq(max));
                    if (padded > 0) ties = ties.add(FloatVector.broadcast(S, padded), max.eq(none));
                    var gz = FloatVector.fromArray(S, gt, (y * ow + z) * L);
                    var share = gz.blend(gz.mul(0f), ties.eq(0f)).div(ties);
                    var nan = max.test(VectorOperators.IS_NAN);
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++) {
                            int at = ((top + i) * w + left + j) * L;
                            var hit = FloatVector.fromArray(S, xt, at).eq(max).or(nan);
                            FloatVector.fromArray(S, dt, at).add(share, hit).intoArray(dt, at);
                        }
                }
            fromLanes(dt, hw, count, dx, dxOff + p0 * hw);
        }
    }

    /**
     * max_pool2d over groups [lo, hi) of {@code L} planes, a plane a lane, as {@link #gradAcross}
     * reads them (GoogLeNet's inception pools on 6 × 6 planes ran rows of 6 in 16 lanes).
     */
    private static void maxAcross(float[] x, int xOff, float[] out, int outOff, Window win, int lo, int hi) {
        int L = S.length(), h = win.h(), w = win.w(), oh = win.outH(), ow = win.outW(), hw = h * w, ohw = oh * ow, planes = win.n() * win.c();
        int kh = win.kh(), kw = win.kw();
        float[] xt = Scratch.floats(Scratch.ACROSS_X, hw * L), yt = Scratch.floats(Scratch.ACROSS_G, ohw * L);
        var none = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int q = lo; q < hi; q++) {
            int p0 = q * L, count = Math.min(L, planes - p0);
            toLanes(x, xOff + p0 * hw, hw, count, xt);
            for (int y = 0; y < oh; y++)
                for (int z = 0; z < ow; z++) {
                    int top = y * win.strideH() - win.padH(), left = z * win.strideW() - win.padW();
                    var max = none;
                    for (int i = Math.max(0, -top), i1 = Math.min(kh, h - top); i < i1; i++)
                        for (int j = Math.max(0, -left), j1 = Math.min(kw, w - left); j < j1; j++)
                            max = max.max(FloatVector.fromArray(S, xt, ((top + i) * w + left + j) * L));
                    max.intoArray(yt, (y * ow + z) * L);
                }
            fromLanes(yt, ohw, count, out, outOff + p0 * ohw);
        }
    }

    /** {@code to[e·L + l] = src[from + l·n + e]} for e < n, l < count (the lanes past count zero): count planes of n floats, a plane a lane. */
    private static void toLanes(float[] src, int from, int n, int count, float[] to) {
        if (count < S.length()) Arrays.fill(to, 0, n * S.length(), 0f);
        VectorMath.transpose(src, from, count, n, n, to, 0, S.length());
    }

    /** {@code dst[at + l·n + e] = lanes[e·L + l]} for e < n, l < count: {@link #toLanes} undone. */
    private static void fromLanes(float[] lanes, int n, int count, float[] dst, int at) {
        VectorMath.transpose(lanes, 0, n, count, S.length(), dst, at, n);
    }

    /** Lane i takes lane i xor 1: the other element of its pair. */
    private static final VectorShuffle<Float> PARTNER = VectorShuffle.fromOp(VectorMath.S, i -> i ^ 1);

    /**
     * {@link #maxGrad} for planes [lo, hi) of a tiling 2 × 2 pool (stride 2, no padding: most
     * CNNs' pools), straight from x: a vector holds the same L columns of a window row pair,
     * L/2 windows; each lane gets its window's max and tie count by combining with its pair
     * partner, and g repeated over the pair. Each element's term is {@link #gradPlane}'s (its
     * share, or 0 for a non-tie unless its window holds a NaN, added to zero); elements of a
     * row or column left over by the windows get 0. (Through the general path, which pads,
     * splits phases and stuffs rows, a small CNN's two pool gradients took 16 ms of an
     * 84 ms step.)
     */
    private static void gradPairs(float[] x, int xOff, float[] g, int gOff, float[] dx, int dxOff, Window win, int lo, int hi) {
        int h = win.h(), w = win.w(), oh = win.outH(), ow = win.outW(), cols = 2 * ow, L = S.length();
        var zero = FloatVector.zero(S);
        var one = FloatVector.broadcast(S, 1f);
        for (int p = lo; p < hi; p++) {
            int in = xOff + p * h * w, out = dxOff + p * h * w, gp = gOff + p * oh * ow;
            if (cols < w || 2 * oh < h) Arrays.fill(dx, out, out + h * w, 0f);
            for (int y = 0; y < oh; y++) {
                int r0 = 2 * y * w, r1 = r0 + w, gy = gp + y * ow;
                for (int c = 0; c < cols; c += L) {
                    VectorMask<Float> live = S.indexInRange(c, cols);
                    var a = FloatVector.fromArray(S, x, in + r0 + c, live);
                    var b = FloatVector.fromArray(S, x, in + r1 + c, live);
                    var m = a.max(b);
                    m = m.max(m.rearrange(PARTNER));
                    VectorMask<Float> hitA = a.eq(m), hitB = b.eq(m);
                    var ties = zero.blend(one, hitA).add(zero.blend(one, hitB));
                    ties = ties.add(ties.rearrange(PARTNER));
                    var gv = c + L <= cols ? VectorMath.repeat(g, gy + c / 2, 2) : VectorMath.repeat(g, gy + c / 2, 2, cols - c);
                    var share = gv.blend(gv.mul(0f), ties.eq(0f)).div(ties);
                    // a window holding a NaN ties nothing: all its elements get its NaN share
                    VectorMask<Float> nan = m.test(VectorOperators.IS_NAN);
                    zero.add(zero.blend(share, hitA.or(nan))).intoArray(dx, out + r0 + c, live);
                    zero.add(zero.blend(share, hitB.or(nan))).intoArray(dx, out + r1 + c, live);
                }
            }
        }
    }

    /** A row of {@link #gradPlane}'s padded x, with room for a vector and the taps after its last window. */
    private static int paddedRow(Window win) { return win.w() + 2 * win.padW() + S.length() + win.kw(); }

    /** A row of {@link #gradPlane}'s maxima and shares: kw zeros before the windows, room for a vector after. */
    private static int stuffedWidth(Window win) { return win.outW() + 2 * win.kw() + 1 + S.length(); }

    private static final VectorSpecies<Float> S = VectorMath.S;
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i), ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);

    /**
     * Planes [lo, hi) of a tiling pool two columns wide (LeNet's and VGG's 2 × 2, stride 2) on
     * rows of even width. A plane's elements at even and odd flat positions are split apart
     * first, a vector pair at a time (row boundaries fall between pairs when the width is even),
     * into the two halves of one scratch array; output row y then reads whole vectors: input row
     * 2y + r's pairs start at (2y + r)·W/2 in both. Each output adds (or maxes) its window in
     * {@link #tiles}' order, from the same start value, so the results are the same bits.
     */
    private static void pairs(float[] x, int xOff, float[] out, int outOff, Window win, boolean max, int lo, int hi) {
        int oh = win.outH(), ow = win.outW(), kh = win.kh(), w = win.w(), plane = win.h() * w, half = plane / 2, L = S.length();
        // even elements from 0, odd ones from `odd` (a vector of slack after each half for the masked reads)
        float[] e = Scratch.floats(Scratch.PAIRS, 2 * half + 2 * L);
        int odd = half + L;
        FloatVector start = FloatVector.broadcast(S, max ? Float.NEGATIVE_INFINITY : 0f);
        float scale = kh * 2;
        for (int p = lo; p < hi; p++) {
            int in = xOff + p * plane, k = 0;
            for (; k + L <= half; k += L) {
                var a = FloatVector.fromArray(S, x, in + 2 * k);
                var b = FloatVector.fromArray(S, x, in + 2 * k + L);
                a.rearrange(EVEN, b).intoArray(e, k);
                a.rearrange(ODD, b).intoArray(e, odd + k);
            }
            for (; k < half; k++) {
                e[k] = x[in + 2 * k];
                e[odd + k] = x[in + 2 * k + 1];
            }
            for (int y = 0; y < oh; y++) {
                int at = outOff + (p * oh + y) * ow;
                for (int z = 0; z < ow; z += L) {
                    VectorMask<Float> m = S.indexInRange(z, ow);
                    var acc = start;
                    for (int r = 0; r < kh; r++) {
                        int row = (y * kh + r) * (w / 2) + z;
                        var ev = FloatVector.fromArray(S, e, row, m);
                        var ov = FloatVector.fromArray(S, e, odd + row, m);
                        acc = max ? acc.max(ev).max(ov) : acc.add(ev).add(ov);
                    }
                    (max ? acc : acc.div(scale)).intoArray(out, at + z, m);
                }
            }
        }
    }

    /**
     * Planes [lo, hi) of a max pool whose windows overlap or are clipped (ResNet's 3 × 3 at
     * stride 2, padding 1): a max taken in any order is the same value, so each output row is the
     * max down the window's rows, a vector of columns at a time, into a row t padded with -inf,
     * then the max across: output z reads t[z·sw + j]. At a stride above 1 t is first split into
     * its sw phases (t[k·sw + φ] at phase φ, index k), so that tap j of consecutive outputs is
     * consecutive in phase j mod sw, from j div sw: every read a vector. (One window at a time,
     * bounds tested per element: 7.5 ms of a ResNet-18 step at batch 16.)
     */
    private static void separable(float[] x, int xOff, float[] out, int outOff, Window win, int lo, int hi) {
        int h = win.h(), w = win.w(), kh = win.kh(), kw = win.kw(), sh = win.strideH(), sw = win.strideW();
        int ph = win.padH(), pw = win.padW(), oh = win.outH(), ow = win.outW();
        int width = (ow - 1) * sw + kw, part = (width + sw - 1) / sw, L = S.length();
        // t in [0, width), its phases from `phases`, each `part` long
        float[] t = Scratch.floats(Scratch.PAIRS, width + sw * part);
        int phases = width, left = Math.min(pw, width), columns = Math.clamp(width - pw, 0, w);
        Arrays.fill(t, 0, left, Float.NEGATIVE_INFINITY);
        Arrays.fill(t, left + columns, width, Float.NEGATIVE_INFINITY);
        var none = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int plane = lo; plane < hi; plane++) {
            int in = xOff + plane * h * w;
            for (int y = 0; y < oh; y++) {
                int top = y * sh - ph, rLo = Math.max(0, top), rHi = Math.min(h, top + kh);
                for (int c = 0; c < columns; c += L) {
                    VectorMask<Float> m = S.indexInRange(c, columns);
                    var acc = none;
                    for (int r = rLo; r < rHi; r++) acc = acc.max(FloatVector.fromArray(S, x, in + r * w + c, m));
                    acc.intoArray(t, pw + c, m);
                }
                if (sw > 1)
                    for (int f = 0; f < sw; f++)
                        for (int k = 0, u = f; u < width; k++, u += sw) t[phases + f * part + k] = t[u];
                int at = outOff + (plane * oh + y) * ow;
                for (int z = 0; z < ow; z += L) {
                    VectorMask<Float> m = S.indexInRange(z, ow);
                    var acc = none;
                    for (int j = 0; j < kw; j++) {
                        int from = sw == 1 ? j : phases + j % sw * part + j / sw;
                        acc = acc.max(FloatVector.fromArray(S, t, from + z, m));
                    }
                    acc.intoArray(out, at + z, m);
                }
            }
        }
    }

    /**
     * Planes [lo, hi) of a pool whose windows tile the image (no padding, stride = kernel):
     * no window is clipped, so the loops have fixed bounds and no tests. Same order as
     * {@link #window}: rows, then columns, accumulated in f32.
     */
    private static void tiles(float[] x, int xOff, float[] out, int outOff, Window win, boolean max, int lo, int hi) {
        int oh = win.outH(), ow = win.outW(), kh = win.kh(), kw = win.kw(), w = win.w(), in = win.h() * w;
        float scale = kh * kw;
        for (int plane = lo; plane < hi; plane++)
            for (int y = 0; y < oh; y++) {
                int top = xOff + plane * in + y * kh * w, at = outOff + (plane * oh + y) * ow;
                for (int z = 0; z < ow; z++) {
                    int corner = top + z * kw;
                    float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                    for (int r = 0; r < kh; r++)
                        for (int q = 0; q < kw; q++) {
                            float v = x[corner + r * w + q];
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    out[at + z] = max ? acc : acc / scale;
                }
            }
    }

    /** One output: the window's rows and columns clipped to the image; max over them, or their sum over kh · kw. */
    private static float window(float[] x, int plane, Window win, int y, int z, boolean max) {
        int y0 = y * win.strideH() - win.padH(), x0 = z * win.strideW() - win.padW();
        int yLo = Math.max(0, y0), yHi = Math.min(win.h(), y0 + win.kh());
        int xLo = Math.max(0, x0), xHi = Math.min(win.w(), x0 + win.kw());
        float acc = max ? Float.NEGATIVE_INFINITY : 0f;
        for (int r = yLo; r < yHi; r++) {
            int row = plane + r * win.w();
            for (int q = xLo; q < xHi; q++) acc = max ? Math.max(acc, x[row + q]) : acc + x[row + q];
        }
        return max ? acc : acc / (win.kh() * win.kw());
    }
}
