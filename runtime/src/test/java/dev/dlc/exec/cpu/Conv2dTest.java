package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.exec.cpu.Conv2d.Geometry;
import dev.dlc.exec.cpu.Epilogue.Activation;
import dev.dlc.ops.Prim;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Conv2d and Pool2d against the reference conv2d and pool kernels. */
class Conv2dTest {
    private record Case(String name, Geometry g, boolean bias, Activation act) {}

    private static Geometry geo(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        return new Geometry(n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups);
    }

    /**
     * Direct convolutions (stride 1, at most 16 outputs per group), with the vector across 16
     * channels, dot-product ones (kernels larger than the output), per-image GEMMs, and
     * batch-folded transposed GEMMs.
     */
    private static final List<Case> CASES = List.of(
        new Case("direct: lenet conv1", geo(3, 1, 12, 12, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1), true, Activation.RELU),
        new Case("channel: lenet conv2", geo(2, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1), true, Activation.TANH),
        new Case("channel: two groups, dilated, 13-wide rows (blocks overlap)", geo(2, 8, 12, 17, 32, 3, 3, 1, 1, 1, 0, 2, 2, 2), true, Activation.RELU),
        new Case("direct: 16 outputs of a 3 x 3 kernel on one channel (too few taps to scatter)", geo(2, 1, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1), true, Activation.NONE),
        new Case("channel: one image in chunks of rows, padded", geo(1, 4, 9, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1), false, Activation.NONE),
        new Case("direct: 16 channels, rows narrower than a block", geo(2, 3, 8, 6, 16, 3, 3, 1, 1, 1, 0, 1, 1, 1), true, Activation.NONE),
        new Case("direct: lenet conv2's input gradient", geo(3, 16, 18, 18, 6, 5, 5, 1, 1, 0, 0, 1, 1, 1), false, Activation.NONE),
        new Case("direct: lenet conv2's input gradient as a padded convolution (rows of padding skipped)", geo(3, 16, 10, 10, 6, 5, 5, 1, 1, 4, 4, 1, 1, 1), false, Activation.NONE),
        new Case("direct: padding taller than the kernel (rows meeting no input), dilated", geo(2, 3, 4, 9, 6, 3, 3, 1, 1, 5, 2, 2, 1, 1), true, Activation.NONE),
        new Case("direct: 32 outputs of a 5 x 5 kernel on one channel (few taps: no GEMM)", geo(2, 1, 12, 12, 32, 5, 5, 1, 1, 2, 2, 1, 1, 1), true, Activation.RELU),
        new Case("direct: one image in chunks of rows, an odd slot count, 11 channels", geo(1, 3, 13, 19, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1), true, Activation.SIGMOID),
        new Case("direct: dilated, non-square kernel, rows longer than a vector", geo(2, 4, 11, 21, 7, 3, 2, 1, 1, 1, 0, 2, 3, 1), false, Activation.NONE),
        new Case("direct: two groups", geo(2, 4, 8, 8, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2), true, Activation.NONE),
        new Case("direct: depthwise", geo(2, 3, 7, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3), true, Activation.RELU),
        new Case("dot: weight-gradient shape of a one-channel layer", geo(1, 12, 9, 9, 6, 7, 7, 1, 1, 1, 1, 1, 1, 1), true, Activation.TANH),
        new Case("dot: a weight gradient with 12 channels, input channels in several chunks", geo(6, 40, 14, 14, 12, 10, 10, 1, 1, 0, 0, 1, 1, 1), false, Activation.NONE),
        new Case("channel: lenet conv2's weight gradient (5-wide rows, in pairs)", geo(6, 40, 14, 14, 16, 10, 10, 1, 1, 0, 0, 1, 1, 1), false, Activation.NONE),
        new Case("channel: 8-wide rows in pairs across images, an odd row count", geo(3, 4, 9, 10, 16, 3, 3, 1, 1, 0, 0, 1, 1, 1), true, Activation.SIGMOID),
        new Case("dot: three channels, one image: output rows split over threads", geo(1, 5, 10, 10, 3, 6, 6, 1, 1, 0, 0, 1, 1, 1), true, Activation.RELU),
        new Case("dot: two channels, three images: chunks of rows across images", geo(3, 5, 9, 9, 2, 6, 6, 1, 1, 0, 0, 1, 1, 1), false, Activation.NONE),
        new Case("dot: strided rows, padded, two groups of 7, 5 × 7 outputs", geo(3, 8, 13, 16, 14, 7, 10, 2, 1, 1, 0, 1, 1, 2), false, Activation.NONE),
        new Case("gemm: stride 2, padding 1", geo(3, 2, 30, 28, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1), true, Activation.SIGMOID),
        new Case("gemm: strides 2 and 1, dilated", geo(2, 4, 11, 10, 20, 3, 2, 2, 1, 1, 0, 2, 3, 1), false, Activation.NONE),
        new Case("gemm: two groups of 20 at stride 2", geo(2, 4, 9, 9, 40, 3, 3, 2, 2, 1, 1, 1, 1, 2), true, Activation.RELU),
        new Case("gemm: pointwise", geo(2, 8, 5, 5, 24, 1, 1, 1, 1, 0, 0, 1, 1, 1), true, Activation.NONE),
        new Case("gemm: one image, the product split", geo(1, 5, 20, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1), true, Activation.RELU),
        new Case("gemm: K across several KC slices", geo(1, 64, 40, 40, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1), false, Activation.NONE),
        new Case("dot: 70 channels, a one-channel layer's weight gradient (few outputs per channel)", geo(2, 4, 11, 11, 70, 11, 11, 1, 1, 1, 1, 1, 1, 1), true, Activation.TANH),
        new Case("transposed: weight-gradient shape", geo(24, 4, 11, 11, 70, 11, 11, 1, 1, 1, 1, 1, 1, 1), true, Activation.TANH),
        new Case("transposed: weight-gradient shape at stride 2 (dilated)", geo(3, 5, 13, 13, 66, 7, 7, 1, 1, 1, 1, 2, 2, 1), false, Activation.NONE),
        new Case("transposed: pointwise", geo(1, 3, 2, 2, 80, 1, 1, 1, 1, 0, 0, 1, 1, 1), true, Activation.SIGMOID),
        new Case("transposed: stride 2, padding 1, an odd row count", geo(3, 6, 9, 7, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1), true, Activation.SIGMOID),
        new Case("transposed: K across several KC slices, 70 columns", geo(2, 64, 7, 6, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1), true, Activation.RELU),
        new Case("transposed: 32 columns on rows of 5 (tall tiles: twelve rows, not in runs)", geo(8, 12, 7, 7, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1), false, Activation.SIGMOID),
        new Case("transposed: 64 columns on rows of 6 (run tiles of two rows' six outputs)", geo(4, 20, 6, 6, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1), true, Activation.RELU),
        new Case("transposed: 32 columns on rows of 14 (run tiles where twelve outputs share a row)", geo(2, 24, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1), true, Activation.RELU),
        new Case("transposed: 96 columns (a strip of 32) on rows of 24, K across slices", geo(2, 32, 12, 24, 96, 3, 3, 1, 1, 1, 1, 1, 1, 1), true, Activation.NONE),
        new Case("transposed: two groups of 24, dilated", geo(2, 16, 5, 6, 48, 3, 2, 1, 1, 2, 1, 2, 3, 2), false, Activation.NONE),
        new Case("full: a 1 x 1 convolution's weight-gradient shape (the window is the whole input)", geo(20, 8, 6, 6, 12, 6, 6, 1, 1, 0, 0, 1, 1, 1), true, Activation.RELU),
        new Case("full: planes longer than a K slice, 70 columns", geo(3, 4, 17, 17, 70, 17, 17, 1, 1, 0, 0, 1, 1, 1), false, Activation.NONE),
        new Case("full: products small enough for one fma chain an element", geo(2, 3, 4, 4, 5, 4, 4, 1, 1, 0, 0, 1, 1, 1), true, Activation.TANH));

    @TestFactory
    Stream<DynamicTest> againstTheReference() {
        return CASES.stream().map(c -> dynamicTest(c.name(), () -> check(c)));
    }

    @Test
    void eachCaseTakesTheNamedPath() {
        for (Case c : CASES) {
            String path = c.name().substring(0, c.name().indexOf(':'));
            assertEquals(path, Conv2d.path(c.g()).name().toLowerCase(), c.name());
        }
        assertTrue(Geometry.of(new int[] {32, 64, 56, 56}, new int[] {64, 64, 3, 3}, 1, 1, 1, 1).transposed(), "a ResNet block's forward");
        assertFalse(Geometry.of(new int[] {16, 3, 224, 224}, new int[] {64, 3, 3, 3}, 1, 1, 1, 1).transposed(), "three input channels: K = 27");
    }

    @Test
    void theSameBitsEveryRunAndWithOneThread() {
        for (Case c : CASES.stream().filter(c -> !c.name().startsWith("gemm") || c.name().contains("split")).toList()) {
            var g = c.g();
            float[] x = Ref.random(g.n() * g.c() * g.h() * g.w(), 11), w = Ref.random(g.o() * g.depth(), 12), b = Ref.random(g.o(), 13);
            int size = g.n() * g.o() * g.positions();
            float[] first = new float[size], again = new float[size], serial = new float[size];
            Conv2d.forward(x, 0, w, 0, b, 0, first, 0, g, c.act());
            Conv2d.forward(x, 0, w, 0, b, 0, again, 0, g, c.act());
            Parallel.limited(1, () -> Conv2d.forward(x, 0, w, 0, b, 0, serial, 0, g, c.act()));
            Ref.sameBits(first, again, c.name() + ", again");
            Ref.sameBits(first, serial, c.name() + ", one thread");
        }
    }

    /** A weight gradient written [O, N, P] is, bit for bit, the [N, O, P] one with its first two axes swapped. */
    @Test
    void swappedOutputIsTheForwardTransposed() {
        var shapes = List.of(geo(3, 5, 13, 13, 66, 7, 7, 1, 1, 1, 1, 2, 2, 1), geo(24, 4, 11, 11, 70, 11, 11, 1, 1, 1, 1, 1, 1, 1),
                geo(1, 12, 9, 9, 6, 7, 7, 1, 1, 1, 1, 1, 1, 1), geo(2, 24, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                geo(8, 12, 7, 7, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1));
        for (var g : shapes) {
            assertTrue(Conv2d.swappable(g), g.toString());
            float[] x = Ref.random(g.n() * g.c() * g.h() * g.w(), 31), w = Ref.random(g.o() * g.depth(), 32);
            int p = g.positions(), outOff = 4;
            float[] plain = new float[g.n() * g.o() * p], swapped = new float[outOff + plain.length];
            Conv2d.forward(x, 0, w, 0, null, 0, plain, 0, g, Activation.NONE);
            Conv2d.forwardSwapped(x, 0, w, 0, swapped, outOff, g);
            float[] want = new float[plain.length];
            for (int n = 0; n < g.n(); n++)
                for (int o = 0; o < g.o(); o++) System.arraycopy(plain, (n * g.o() + o) * p, want, (o * g.n() + n) * p, p);
            Ref.sameBits(want, java.util.Arrays.copyOfRange(swapped, outOff, swapped.length), g.toString());
        }
        assertFalse(Conv2d.swappable(geo(2, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1)), "a channel convolution writes [N, O, P] only");
    }

    /**
     * x stored [C, N, H, W] and the weights [C/G, O, KH, KW] (a permute's source read in place)
     * give the plain layout's bits on every path, x copied padded or read in place (with NaNs
     * after it, which must never reach out), the output plain or written swapped.
     */
    @Test
    void swappedOperandsGiveThePlainBits() {
        for (Case c : CASES) {
            var g = c.g();
            int hw = g.h() * g.w(), taps = g.kh() * g.kw(), size = g.n() * g.o() * g.positions();
            float[] x = Ref.random(g.n() * g.c() * hw, 41), w = Ref.random(g.o() * g.depth(), 42), b = Ref.random(g.o(), 43);
            float[] want = new float[size];
            Conv2d.forward(x, 0, w, 0, b, 0, want, 0, g, c.act());
            float[] ws = swapped(w, g.o(), g.channelsPerGroup(), taps, 2, 0);
            for (int after : new int[] {0, g.w() + 2 * g.padW() + 9 * VectorMath.S.length()}) {
                float[] xs = swapped(x, g.n(), g.c(), hw, 3, after);
                for (int both = 1; both < 4; both++) {
                    boolean sx = (both & 1) != 0, sw = (both & 2) != 0;
                    float[] got = new float[size];
                    Conv2d.forward(sx ? xs : x, sx ? 3 : 0, sw ? ws : w, sw ? 2 : 0, b, 0, got, 0, g, c.act(), sx, sw);
                    Ref.sameBits(want, got, c.name() + (sx ? ", x swapped" : "") + (sw ? ", w swapped" : "") + (after > 0 ? ", in place" : ""));
                }
                // the weights also flipped (each plane's taps reversed), as an input gradient's are
                float[] wf = swapped(flipped(w, taps), g.o(), g.channelsPerGroup(), taps, 2, 0);
                for (boolean sx : new boolean[] {false, true}) {
                    float[] got = new float[size];
                    Conv2d.forward(sx ? xs : x, sx ? 3 : 0, wf, 2, b, 0, got, 0, g, c.act(), sx, true, true);
                    Ref.sameBits(want, got, c.name() + (sx ? ", x swapped" : "") + ", w swapped and flipped" + (after > 0 ? ", in place" : ""));
                }
                if (!Conv2d.swappable(g)) continue;
                float[] plain = new float[size], both = new float[size];
                Conv2d.forwardSwapped(x, 0, w, 0, plain, 0, g);
                Conv2d.forwardSwapped(xs, 3, ws, 2, both, 0, g, true, true);
                Ref.sameBits(plain, both, c.name() + ", written swapped from swapped operands");
            }
        }
    }

    /** Every run of {@code taps} floats of a reversed. */
    private static float[] flipped(float[] a, int taps) {
        float[] to = new float[a.length];
        for (int i = 0; i < a.length; i++) to[i] = a[i - i % taps + taps - 1 - i % taps];
        return to;
    }

    /** a [A, B, rest] stored [B, A, rest] at {@code off} of an array with {@code after} NaNs past it. */
    private static float[] swapped(float[] a, int na, int nb, int rest, int off, int after) {
        float[] to = new float[off + a.length + after];
        java.util.Arrays.fill(to, Float.NaN);
        for (int i = 0; i < na; i++)
            for (int j = 0; j < nb; j++) System.arraycopy(a, (i * nb + j) * rest, to, off + (j * na + i) * rest, rest);
        return to;
    }

    @Test
    void poolsAgainstTheReference() {
        // {kh, kw, sh, sw, ph, pw}: windows that tile (two columns wide: the vector path), overlap, or pad
        // (max over overlapping or padded windows: rows, then phases of the stride across)
        int[][] windows = {{2, 2, 2, 2, 0, 0}, {3, 2, 3, 2, 0, 0}, {3, 3, 3, 3, 0, 0}, {3, 3, 2, 2, 1, 1}, {3, 2, 1, 2, 1, 0},
                {3, 3, 1, 1, 1, 1}, {5, 4, 3, 3, 2, 1}, {2, 3, 2, 1, 0, 1}, {3, 3, 2, 2, 0, 0}};
        // {h, w}: rows left over, planes of several vectors, rows wider than a vector, odd widths;
        // rows narrower than a vector (the gradient across planes: 18 planes, a whole group of 16 and two)
        int[][] planes = {{9, 8}, {36, 40}, {7, 5}, {28, 28}, {48, 49}, {6, 6}, {3, 3}, {4, 7}};
        int xOff = 3, outOff = 7;
        for (int[] hw : planes)
            for (int[] k : windows) {
                var win = new Pool2d.Window(2, 9, hw[0], hw[1], k[0], k[1], k[2], k[3], k[4], k[5]);
                int n = 2 * 9 * hw[0] * hw[1];
                float[] x = Ref.random(n, 21), xin = new float[xOff + n];
                System.arraycopy(x, 0, xin, xOff, n);
                int[] outShape = {2, 9, win.outH(), win.outW()};
                var attrs = Map.<String, Object>of("kernel", List.of((long) k[0], (long) k[1]), "stride", List.of((long) k[2], (long) k[3]),
                        "padding", List.of((long) k[4], (long) k[5]));
                for (Prim op : List.of(Prim.MAX_POOL2D, Prim.AVG_POOL2D)) {
                    var out = new float[outOff + 2 * 9 * win.outH() * win.outW()];
                    if (op == Prim.MAX_POOL2D) Pool2d.max(xin, xOff, out, outOff, win);
                    else Pool2d.avg(xin, xOff, out, outOff, win);
                    double[] want = Ref.run(op, attrs, outShape, x, new int[] {2, 9, hw[0], hw[1]}, null, null);
                    Ref.near(want, new double[want.length], java.util.Arrays.copyOfRange(out, outOff, out.length), 0,
                            op + " " + java.util.Arrays.toString(hw) + " " + java.util.Arrays.toString(k));
                }
                // the max pool's gradient, for a random output gradient (x has no ties)
                int m = 2 * 9 * win.outH() * win.outW();
                float[] g = Ref.random(m, 22), gin = new float[outOff + m], dx = new float[xOff + n];
                System.arraycopy(g, 0, gin, outOff, m);
                java.util.Arrays.fill(dx, 7f);
                Pool2d.maxGrad(xin, xOff, gin, outOff, dx, xOff, win);
                double[] want = Ref.run(Prim.MAX_POOL2D_GRAD, attrs, new int[] {2, 9, hw[0], hw[1]}, x, new int[] {2, 9, hw[0], hw[1]}, g, outShape);
                Ref.near(want, new double[want.length], java.util.Arrays.copyOfRange(dx, xOff, dx.length), 0,
                        "max_pool2d_grad " + java.util.Arrays.toString(hw) + " " + java.util.Arrays.toString(k));
                assertEquals(7f, dx[0], "nothing before dx is written");
            }
    }

    /**
     * The max pool's gradient where windows hold ties, a NaN, and g an infinity, on the tiling
     * 2 × 2 path and a general one: the IR formula's values (g·hit/ties; NaN for a whole window
     * holding a NaN, g·0 = NaN beside an infinite g's max), an element left over by the windows 0.
     */
    @Test
    void poolGradientWithTiesAndNonFiniteValues() {
        int[][] windows = {{2, 2, 2, 2, 0, 0}, {3, 3, 2, 2, 1, 1}, {3, 3, 1, 1, 1, 1}};
        // rows wider than a vector, and narrower (the gradient across planes)
        for (int w : new int[] {38, 6})
        for (int[] k : windows) {
            int h = 7, n = 2 * 9 * h * w;
            var win = new Pool2d.Window(2, 9, h, w, k[0], k[1], k[2], k[3], k[4], k[5]);
            int m = 2 * 9 * win.outH() * win.outW();
            float[] x = new float[n], g = Ref.random(m, 52);
            var r = new java.util.SplittableRandom(51);
            for (int i = 0; i < n; i++) x[i] = r.nextInt(3); // many ties
            x[5] = Float.NaN;
            g[7] = Float.POSITIVE_INFINITY;
            float[] dx = new float[n];
            Pool2d.maxGrad(x, 0, g, 0, dx, 0, win);
            var attrs = Map.<String, Object>of("kernel", List.of((long) k[0], (long) k[1]), "stride", List.of((long) k[2], (long) k[3]),
                    "padding", List.of((long) k[4], (long) k[5]));
            int[] xs = {2, 9, h, w}, os = {2, 9, win.outH(), win.outW()};
            double[] want = Ref.run(Prim.MAX_POOL2D_GRAD, attrs, xs, x, xs, g, os);
            int nans = 0;
            for (int i = 0; i < n; i++) {
                if (Double.isNaN(want[i])) { nans++; assertTrue(Float.isNaN(dx[i]), "element " + i + " is " + dx[i] + ", expected NaN"); }
                else assertEquals(want[i], dx[i], 2e-6 * (Math.abs(want[i]) + 1), "element " + i + " of " + java.util.Arrays.toString(k));
            }
            assertTrue(nans >= 4, "the NaN's window and the infinite g's window are NaN");
        }
    }

    private static void check(Case c) {
        check(c, 0);
        // Reading x in place (no padding, room after it): what lies past x must never reach out.
        check(c, 2 * VectorMath.S.length() + 7);
    }

    /** x with {@code after} NaNs behind it in its array. */
    private static void check(Case c, int after) {
        var g = c.g();
        int[] xs = {g.n(), g.c(), g.h(), g.w()}, ws = {g.o(), g.channelsPerGroup(), g.kh(), g.kw()};
        int[] os = {g.n(), g.o(), g.outH(), g.outW()};
        float[] x = Ref.random(g.n() * g.c() * g.h() * g.w(), 1), w = Ref.random(g.o() * g.depth(), 2);
        float[] bias = c.bias() ? Ref.random(g.o() + 3, 3) : null;
        int xOff = 3, outOff = 5;
        float[] xin = new float[xOff + x.length + after];
        java.util.Arrays.fill(xin, Float.NaN);
        System.arraycopy(x, 0, xin, xOff, x.length);
        var out = new float[outOff + g.n() * g.o() * g.positions()];
        Conv2d.forward(xin, xOff, w, 0, bias, 3, out, outOff, g, c.act());
        var attrs = Map.<String, Object>of("stride", List.of((long) g.strideH(), (long) g.strideW()),
                "padding", List.of((long) g.padH(), (long) g.padW()), "dilation", List.of((long) g.dilationH(), (long) g.dilationW()),
                "groups", (long) g.groups());
        double[] want = Ref.run(Prim.CONV2D, attrs, os, x, xs, w, ws);
        double[] mag = Ref.run(Prim.CONV2D, attrs, os, Ref.abs(x), xs, Ref.abs(w), ws);
        int plane = g.positions();
        for (int i = 0; i < want.length; i++) {
            int o = i / plane % g.o();
            want[i] = Ref.activate(c.act(), want[i] + (bias == null ? 0 : bias[3 + o]));
        }
        Ref.near(want, mag, out, outOff, c.name());
    }
}
