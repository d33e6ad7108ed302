package dev.dlc.ops;

import static dev.dlc.ir.Builder.tensor;
import static dev.dlc.ops.Prim.*;
import static dev.dlc.ops.Vjps.arg;
import static dev.dlc.ops.Vjps.one;
import static dev.dlc.ops.Vjps.rule;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Node;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * VJP rules of conv2d and the pools, written as convolutions themselves (as in PyTorch's
 * convolution_backward). With {@code y[n,o,i,j] = sum x_pad[n,c, i*s + kh*d, j*s + kw*d] w[o,c,kh,kw]}
 * per axis (stride s, dilation d, padding p):
 * <ul>
 * <li>{@code dw[o,c,kh,kw] = sum_{n,i,j} g[n,o,i,j] x_pad[n,c, kh*d + i*s, ...]}: a conv2d of x
 *     (channels as the batch) with g as the weight, stride and dilation swapped;
 * <li>{@code dx}: g with s-1 zeros between its elements, padded by d(K-1)-p, correlated with the
 *     flipped, transposed weight at dilation d.
 * </ul>
 * Groups are done one group at a time.
 */
final class ConvVjps {
    private ConvVjps() {}

    static void install() {
        rule(CONV2D, (b, y, g) -> {
            var at = new Bound(y.op(), y.attrs());
            long[] s = at.pair("stride"), p = at.pair("padding"), d = at.pair("dilation");
            int groups = (int) at.integer("groups");
            Node x = arg(y, 0), w = arg(y, 1);
            if (groups == 1) return List.of(inputGrad(b, g, w, x, s, p, d), weightGrad(b, g, x, w, s, p, d));
            long cg = tensor(w).dim(1).value(), og = tensor(w).dim(0).value() / groups;
            var dxs = new ArrayList<Node>();
            var dws = new ArrayList<Node>();
            for (int k = 0; k < groups; k++) {
                Node xk = slice(b, x, 1, k * cg, (k + 1) * cg), wk = slice(b, w, 0, k * og, (k + 1) * og), gk = slice(b, g, 1, k * og, (k + 1) * og);
                dxs.add(inputGrad(b, gk, wk, xk, s, p, d));
                dws.add(weightGrad(b, gk, xk, wk, s, p, d));
            }
            return List.of(b.apply("concat", dxs, Map.of("axis", 1L)), b.apply("concat", dws, Map.of("axis", 0L)));
        });
        rule(MAX_POOL2D, ConvVjps::maxPool);
        rule(MAX_POOL2D_GRAD, ConvVjps::maxPoolGrad);
        // avg_pool2d is a depthwise conv2d with the weight 1/(kh kw) (padding counts as zeros); every
        // channel has the same weight, so the channels fold into the batch.
        rule(AVG_POOL2D, (b, y, g) -> {
            var at = new Bound(y.op(), y.attrs());
            long[] k = at.pair("kernel");
            Node x = arg(y, 0);
            if (tiles(at)) return one(spread(b, b.mul(1.0 / (k[0] * k[1]), g), tensor(x), k));
            var xt = tensor(x);
            Dim nc = xt.dim(0).times(xt.dim(1));
            Node w = b.apply("full", List.of(), Map.of("shape", List.of(Dim.of(1), Dim.of(1), Dim.of(k[0]), Dim.of(k[1])),
                    "value", 1.0 / (k[0] * k[1]), "dtype", xt.dtype().spelling()));
            var gt = tensor(g);
            Node g1 = b.reshape(g, Shape.of(List.of(nc, Dim.of(1), gt.dim(2), gt.dim(3))));
            Node x1 = b.reshape(x, Shape.of(List.of(nc, Dim.of(1), xt.dim(2), xt.dim(3))));
            Node dx = inputGrad(b, g1, w, x1, at.pair("stride"), at.pair("padding"), new long[] {1, 1});
            return one(b.reshape(dx, xt.shape()));
        });
    }

    /** Whether a pool's windows tile the input: kernel = stride and no padding (LeNet's 2 × 2 pools). */
    private static boolean tiles(Bound at) {
        long[] k = at.pair("kernel"), s = at.pair("stride"), p = at.pair("padding");
        return k[0] == s[0] && k[1] == s[1] && p[0] == 0 && p[1] == 0;
    }

    /**
     * Each element of {@code g} [N, C, OH, OW] copied over its window of x's shape: a reshape to
     * [N, C, OH, 1, OW, 1], a broadcast to [N, C, OH, kh, OW, kw] and a reshape to [N, C, OH·kh,
     * OW·kw], then zero rows and columns for what the floor division of the pool left out. This is
     * elementwise, so it fuses with whatever consumes the gradient; the general rule's strided
     * convolution cannot.
     */
    private static Node spread(Builder b, Node g, Type.Tensor xt, long[] k) {
        var gt = tensor(g);
        Dim n = gt.dim(0), c = gt.dim(1);
        long oh = gt.dim(2).value(), ow = gt.dim(3).value();
        Node cols = b.reshape(g, Shape.of(List.of(n, c, Dim.of(oh), Dim.of(1), Dim.of(ow), Dim.of(1))));
        Node wide = b.broadcast(cols, Shape.of(List.of(n, c, Dim.of(oh), Dim.of(k[0]), Dim.of(ow), Dim.of(k[1]))));
        Node up = b.reshape(wide, Shape.of(List.of(n, c, Dim.of(oh * k[0]), Dim.of(ow * k[1]))));
        long extraH = xt.dim(2).value() - oh * k[0], extraW = xt.dim(3).value() - ow * k[1];
        if (extraH == 0 && extraW == 0) return up;
        return b.apply("pad", List.of(up), Map.of("pads", List.of(0L, extraW, 0L, extraH), "value", 0.0));
    }

    /**
     * max_pool2d: each window's cotangent goes to the elements equal to its max (shared between
     * ties), by max_pool2d_grad, a library kernel on the cpu backend. As IR (picks of the padded
     * x, compares, shifted shares summed by phases) the nests were scalar, a bounds test per
     * window offset: about 60 ms of a GoogLeNet step at batch 16.
     */
    private static List<Node> maxPool(Builder b, Node.Apply y, Node g) {
        var at = new Bound(y.op(), y.attrs());
        return one(b.apply("max_pool2d_grad", List.of(arg(y, 0), g), poolAttrs(at)));
    }

    private static Map<String, Object> poolAttrs(Bound at) {
        long[] k = at.pair("kernel"), s = at.pair("stride"), p = at.pair("padding");
        return Map.of("kernel", List.of(k[0], k[1]), "stride", List.of(s[0], s[1]), "padding", List.of(p[0], p[1]));
    }

    /**
     * max_pool2d_grad(x, g) is linear in g: its VJP there reads the cotangent c (x's shape) at
     * each window offset (i, j), a strided slice of c padded with zeros, and weights it by that
     * offset's share of the window, {@code (x_pad[offset] == y) / ties} with y = max_pool2d(x).
     * In x it is piecewise constant: zeros (not "no gradient", which would make a
     * parameter reaching a loss only through it an error).
     */
    private static List<Node> maxPoolGrad(Builder b, Node.Apply d, Node c) {
        var at = new Bound(d.op(), d.attrs());
        long[] k = at.pair("kernel"), s = at.pair("stride"), p = at.pair("padding");
        Node x = arg(d, 0);
        Node y = b.apply("max_pool2d", List.of(x), poolAttrs(at));
        var yt = tensor(y);
        var pads = List.of(p[1], p[1], p[0], p[0]);
        Node xpad = b.apply("pad", List.of(x), Map.of("pads", pads, "value", Double.NEGATIVE_INFINITY));
        Node cpad = b.apply("pad", List.of(c), Map.of("pads", pads, "value", 0.0));
        Node count = null, sum = null;
        for (long i = 0; i < k[0]; i++)
            for (long j = 0; j < k[1]; j++) {
                Node hit = b.cast(b.apply("eq", window(b, xpad, yt, i, j, s), y), yt.dtype());
                Node term = b.mul(hit, window(b, cpad, yt, i, j, s));
                count = count == null ? hit : b.add(count, hit);
                sum = sum == null ? term : b.add(sum, term);
            }
        var xt = tensor(x);
        return List.of(zeros(b, xt.shape().dims(), xt), b.div(sum, count));
    }

    /** The elements of a padded plane at window offset (i, j) of every window: y's shape. */
    private static Node window(Builder b, Node padded, Type.Tensor yt, long i, long j, long[] s) {
        Node rows = strided(b, padded, 2, i, yt.dim(2).value(), s[0]);
        return strided(b, rows, 3, j, yt.dim(3).value(), s[1]);
    }

    /** x[start :: step] along {@code axis}, {@code n} elements. */
    private static Node strided(Builder b, Node x, int axis, long start, long n, long step) {
        return b.apply("slice", List.of(x), Map.of("axis", (long) axis, "start", Dim.of(start),
                "end", Dim.of(start + (n - 1) * step + 1), "step", step));
    }

    /** dx for groups = 1: the zero-stuffed, padded g correlated with the flipped weight, channels swapped. */
    private static Node inputGrad(Builder b, Node g, Node w, Node x, long[] s, long[] p, long[] d) {
        if (d[0] == 1 && d[1] == 1 && (s[0] > 1 || s[1] > 1)) return polyphase(b, g, w, x, s, p);
        var xt = tensor(x);
        long kh = tensor(w).dim(2).value(), kw = tensor(w).dim(3).value();
        Node gs = stuff(b, stuff(b, g, 2, s[0]), 3, s[1]);
        // Rows of x_pad past the last window get no gradient: the "extra" after-padding.
        long[] before = {d[0] * (kh - 1) - p[0], d[1] * (kw - 1) - p[1]};
        long[] len = {tensor(gs).dim(2).value(), tensor(gs).dim(3).value()};
        long[] size = {xt.dim(2).value(), xt.dim(3).value()};
        long[] k = {kh, kw};
        var pads = new ArrayList<Long>();
        for (int a = 1; a >= 0; a--) {
            pads.add(before[a]);
            pads.add(size[a] + d[a] * (k[a] - 1) - before[a] - len[a]);
        }
        Node flipped = flipKernel(b, w);
        Node wt = b.apply("permute", List.of(flipped), Map.of("axes", List.of(1L, 0L, 2L, 3L)));
        // The same zeros on both sides of each axis are the convolution's own padding: no padded copy.
        if (pads.get(0) >= 0 && pads.get(0).equals(pads.get(1)) && pads.get(2) >= 0 && pads.get(2).equals(pads.get(3)))
            return b.apply("conv2d", List.of(gs, wt), Map.of("dilation", List.of(d[0], d[1]), "padding", List.of(pads.get(2), pads.get(0))));
        Node padded = b.apply("pad", List.of(gs), Map.of("pads", pads, "value", 0.0));
        return b.apply("conv2d", List.of(padded, wt), Map.of("dilation", List.of(d[0], d[1])));
    }

    /**
     * dx for groups = 1, stride s > 1 and dilation 1, without the zeros of the stuffed g (3 in 4
     * of its elements at stride 2: ResNet-18's strided input gradients were 35-40 ms of a step).
     * Along an axis, dx at t = j·s + ρ (u = t + p in x_pad) takes only the taps k ≡ u (mod s),
     * {@code dx[j·s + ρ] = sum_m g[q0 + j - m] · w[r + m·s]} with r = (ρ + p) mod s and
     * q0 = (ρ + p) div s. So each of the s_h · s_w phases is a stride-1 conv2d of g (shifted by
     * padding) with a sub-kernel of the flipped weight, ⌈H/s⌉ outputs long; a phase with no taps
     * is zeros. The phases are interleaved by stacking them after their own axes, a reshape and
     * a slice to x's size: injective, so the interleave fuses with what consumes dx.
     */
    private static Node polyphase(Builder b, Node g, Node w, Node x, long[] s, long[] p) {
        var xt = tensor(x);
        long[] k = {tensor(w).dim(2).value(), tensor(w).dim(3).value()};
        long[] phases = {Math.ceilDiv(xt.dim(2).value(), s[0]), Math.ceilDiv(xt.dim(3).value(), s[1])};
        Node flipped = flipKernel(b, w);
        var grid = new ArrayList<List<Node>>();
        for (long rh = 0; rh < s[0]; rh++) {
            var row = new ArrayList<Node>();
            for (long rw = 0; rw < s[1]; rw++)
                row.add(phase(b, g, flipped, Phase.of(rh, s[0], p[0], k[0]), Phase.of(rw, s[1], p[1], k[1]), s, phases, xt));
            grid.add(row);
        }
        return interleave(b, xt, s, phases, grid);
    }

    /** Phase (ph, pw) of dx, [N, C, ⌈H/s_h⌉, ⌈W/s_w⌉]: g correlated with the phase's sub-kernel of the flipped weight, or zeros. */
    private static Node phase(Builder b, Node g, Node flipped, Phase ph, Phase pw, long[] s, long[] phases, Type.Tensor xt) {
        var gt = tensor(g);
        if (ph.taps == 0 || pw.taps == 0) return zeros(b, List.of(gt.dim(0), xt.dim(1), Dim.of(phases[0]), Dim.of(phases[1])), xt);
        long kh = tensor(flipped).dim(2).value(), kw = tensor(flipped).dim(3).value();
        Node sub = strided(b, strided(b, flipped, 2, ph.start(kh, s[0]), ph.taps, s[0]), 3, pw.start(kw, s[1]), pw.taps, s[1]);
        Node wt = b.apply("permute", List.of(sub), Map.of("axes", List.of(1L, 0L, 2L, 3L)));
        // g shifted so that a stride-1 correlation gives the phase's outputs
        long bh = ph.taps - 1 - ph.q0, bw = pw.taps - 1 - pw.q0;
        long ah = phases[0] + ph.taps - 1 - bh - gt.dim(2).value(), aw = phases[1] + pw.taps - 1 - bw - gt.dim(3).value();
        if (bh == ah && bw == aw && bh >= 0 && bw >= 0)
            return b.apply("conv2d", List.of(g, wt), Map.of("padding", List.of(bh, bw)));
        Node padded = b.apply("pad", List.of(g), Map.of("pads", List.of(bw, aw, bh, ah), "value", 0.0));
        return b.apply("conv2d", List.of(padded, wt), Map.of());
    }

    /**
     * Along one axis, the outputs t = j·s + ρ of phase ρ: u = t + p in the padded input, reached
     * by the window offsets k = r, r + s, ... below K ({@code taps} of them) from the window
     * rows q0 + j - m (m = 0 .. taps-1).
     */
    private record Phase(long r, long q0, long taps) {
        static Phase of(long rho, long s, long p, long k) {
            long r = (rho + p) % s;
            return new Phase(r, (rho + p) / s, r < k ? (k - r + s - 1) / s : 0);
        }

        /** Where this phase's taps start in the flipped kernel (they run backwards there, step s). */
        long start(long k, long s) { return k - 1 - r - (taps - 1) * s; }
    }

    /**
     * x's gradient from its s_h · s_w phases: stacked after their own axes, [N, C, J_h, s_h, J_w,
     * s_w], reshaped to [N, C, J_h·s_h, J_w·s_w] and sliced to x's size. All injective, so the
     * interleave fuses with what consumes the gradient.
     */
    private static Node interleave(Builder b, Type.Tensor xt, long[] s, long[] phases, List<List<Node>> grid) {
        var rows = new ArrayList<Node>();
        for (var cols : grid) rows.add(s[1] == 1 ? cols.getFirst() : b.apply("stack", cols, Map.of("axis", 4L)));
        Node woven = s[0] == 1 ? rows.getFirst() : b.apply("stack", rows, Map.of("axis", 3L));
        Node full = b.reshape(woven, Shape.of(List.of(xt.dim(0), xt.dim(1), Dim.of(phases[0] * s[0]), Dim.of(phases[1] * s[1]))));
        return slice(b, slice(b, full, 2, 0, xt.dim(2).value()), 3, 0, xt.dim(3).value());
    }

    /** Zeros of the given shape and {@code like}'s dtype. */
    private static Node zeros(Builder b, List<Dim> shape, Type.Tensor like) {
        return b.apply("full", List.of(), Map.of("shape", shape, "value", 0.0, "dtype", like.dtype().spelling()));
    }

    /** dw for groups = 1: conv2d(x^T, g^T) with stride and dilation swapped, trimmed to the kernel, transposed back. */
    private static Node weightGrad(Builder b, Node g, Node x, Node w, long[] s, long[] p, long[] d) {
        var axes = Map.<String, Object>of("axes", List.of(1L, 0L, 2L, 3L));
        Node xt = b.apply("permute", List.of(x), axes), gt = b.apply("permute", List.of(g), axes);
        Node full = b.apply("conv2d", List.of(xt, gt), Map.of("stride", List.of(d[0], d[1]),
                "padding", List.of(p[0], p[1]), "dilation", List.of(s[0], s[1])));
        var wt = tensor(w);
        Node trimmed = slice(b, slice(b, full, 2, 0, wt.dim(2).value()), 3, 0, wt.dim(3).value());
        return b.apply("permute", List.of(trimmed), axes);
    }

    /** {@code s - 1} zeros between consecutive elements along {@code axis}: length (n-1)s + 1. */
    private static Node stuff(Builder b, Node g, int axis, long s) {
        if (s == 1) return g;
        var dims = new ArrayList<>(tensor(g).shape().dims());
        long n = dims.get(axis).value();
        dims.add(axis + 1, Dim.of(1));
        var pads = new ArrayList<Long>();
        for (int i = dims.size() - 1; i > axis; i--) {
            pads.add(0L);
            pads.add(i == axis + 1 ? s - 1 : 0L);
        }
        Node padded = b.apply("pad", List.of(b.reshape(g, Shape.of(dims))), Map.of("pads", pads, "value", 0.0));
        var merged = new ArrayList<>(tensor(g).shape().dims());
        merged.set(axis, Dim.of(n * s));
        return slice(b, b.reshape(padded, Shape.of(merged)), axis, 0, (n - 1) * s + 1);
    }

    /** The weights reversed along both kernel axes (those longer than 1: a 1 × 1 kernel is itself). */
    private static Node flipKernel(Builder b, Node w) {
        var axes = new ArrayList<Long>();
        for (int a = 2; a < 4; a++) if (tensor(w).dim(a).value() > 1) axes.add((long) a);
        return axes.isEmpty() ? w : b.apply("flip", List.of(w), Map.of("axes", axes));
    }

    private static Node slice(Builder b, Node x, int axis, long start, long end) {
        if (start == 0 && tensor(x).dim(axis).value() == end) return x;
        return b.apply("slice", List.of(x), Map.of("axis", (long) axis, "start", Dim.of(start), "end", Dim.of(end), "step", 1L));
    }
}
