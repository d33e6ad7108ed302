package dev.dlc.ops.kernels;

import dev.dlc.ops.Kernel;
import dev.dlc.ops.Tensor;
import java.util.Arrays;

/** Reference kernels of the contractions and windows: matmul, conv2d, pooling. Direct loops. */
public final class LinalgKernels {
    private LinalgKernels() {}

    /**
     * NumPy matmul: a 1-D a is a row [1,K] and a 1-D b a column [K,1], the added axis dropped
     * from the result; leading (batch) axes broadcast. out[..., m, n] = Σ_k a[..., m, k] b[..., k, n].
     * Dropping a size-1 axis keeps row-major order, so the result is laid out as [batch, M, N].
     */
    public static final Kernel MATMUL = Kernel.of((in, _, r) -> {
        Tensor a = in.get(0), b = in.get(1);
        int[] as = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shape();
        int[] bs = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.shape();
        int m = as[as.length - 2], k = as[as.length - 1], n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) throw new IllegalArgumentException("matmul: inner sizes differ: " + k + " and " + bs[bs.length - 2]);
        int[] aBatch = Arrays.copyOf(as, as.length - 2), bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Layout.broadcast(aBatch, bBatch);
        var out = new double[Tensor.numel(batch) * m * n];
        double[] av = a.toArray(), bv = b.toArray();
        // Row i of the result accumulates a[i, q] * b[q, :] for q = 0, 1, ...: each element
        // still sums its products in the order of q, and the inner loop runs along rows.
        for (int t = 0; t < Tensor.numel(batch); t++) {
            int aOff = Layout.source(t, batch, aBatch) * m * k, bOff = Layout.source(t, batch, bBatch) * k * n;
            for (int i = 0; i < m; i++) {
                int row = (t * m + i) * n;
                for (int q = 0; q < k; q++) {
                    double aiq = av[aOff + i * k + q];
                    int bRow = bOff + q * n;
                    for (int j = 0; j < n; j++) out[row + j] += aiq * bv[bRow + j];
                }
            }
        }
        return Tensor.of(r.dtype(), Tensor.shapeOf(r), out);
    });

    /**
     * conv2d (cross-correlation, as PyTorch) of x [N,C,H,W] with w [O, C/G, KH, KW]:
     * <pre>
     *   out[n,o,y,x'] = Σ_{c<C/G, i<KH, j<KW} xpad[n, g·C/G + c, y·sh - ph + i·dh, x'·sw - pw + j·dw] · w[o,c,i,j]
     * </pre>
     * where g = o / (O/G) is the group of output channel o and xpad reads 0 outside the input.
     */
    public static final Kernel CONV2D = Kernel.of((in, attrs, r) -> {
        Tensor x = in.get(0), w = in.get(1);
        long[] st = attrs.pair("stride"), pad = attrs.pair("padding"), dil = attrs.pair("dilation");
        int groups = (int) attrs.integer("groups");
        int[] os = Tensor.shapeOf(r);
        int batch = x.dim(0), h = x.dim(2), wd = x.dim(3);
        int outC = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3), oh = os[2], ow = os[3];
        int perGroup = outC / groups;
        var out = new double[Tensor.numel(os)];
        double[] xv = x.toArray(), wv = w.toArray();
        int inC = x.dim(1);
        int sh = (int) st[0], sw = (int) st[1], ph = (int) pad[0], pw = (int) pad[1], dh = (int) dil[0], dw = (int) dil[1];
        // Each output element adds its products in the order (c, i, j), as the formula reads;
        // the loops over the output plane are innermost so that they run along rows.
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < outC; o++) {
                int outPlane = (n * outC + o) * oh * ow;
                for (int c = 0; c < cg; c++) {
                    int xPlane = (n * inC + (o / perGroup) * cg + c) * h;
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++) {
                            double wij = wv[((o * cg + c) * kh + i) * kw + j];
                            // The output columns whose input column z·sw - pw + j·dw lies inside the row.
                            int zLo = Math.max(0, ceilDiv(pw - j * dw, sw)), zHi = Math.min(ow - 1, Math.floorDiv(wd - 1 + pw - j * dw, sw));
                            for (int y = 0; y < oh; y++) {
                                int iy = y * sh - ph + i * dh;
                                if (iy < 0 || iy >= h) continue;
                                int xRow = (xPlane + iy) * wd - pw + j * dw, outRow = outPlane + y * ow;
                                for (int z = zLo; z <= zHi; z++) out[outRow + z] += wij * xv[xRow + z * sw];
                            }
                        }
                }
            }
        return Tensor.of(r.dtype(), os, out);
    });

    private static int ceilDiv(int a, int b) { return -Math.floorDiv(-a, b); }

    /** max_pool2d: the largest value in each window; padding reads -inf, so it never wins. */
    public static final Kernel MAX_POOL2D = pool(true);

    /**
     * avg_pool2d: the window's sum over kh·kw, padding counted as zeros (PyTorch's default
     * count_include_pad = True; ceil_mode is false, so no window reaches past the padding).
     */
    public static final Kernel AVG_POOL2D = pool(false);

    /**
     * max_pool2d's gradient: each window's g shared equally by the window's elements equal to
     * its max (padding, -inf, ties only when every element of the window is -inf; the share of a
     * padding element is dropped). A window holding a NaN has no element equal to its max: every
     * element gets g·0/0, NaN. Windows in row-major order, their elements likewise.
     */
    public static final Kernel MAX_POOL2D_GRAD = Kernel.of((in, attrs, r) -> {
        Tensor x = in.get(0), g = in.get(1);
        long[] k = attrs.pair("kernel"), st = attrs.pair("stride"), pad = attrs.pair("padding");
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), wd = x.dim(3), oh = g.dim(2), ow = g.dim(3);
        double[] xv = x.toArray(), gv = g.toArray(), out = new double[xv.length];
        for (int plane = 0; plane < planes; plane++)
            for (int y = 0; y < oh; y++)
                for (int z = 0; z < ow; z++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < k[0]; i++)
                        for (int j = 0; j < k[1]; j++) max = Math.max(max, poolAt(xv, plane, h, wd, y * st[0] - pad[0] + i, z * st[1] - pad[1] + j));
                    int ties = 0;
                    for (int i = 0; i < k[0]; i++)
                        for (int j = 0; j < k[1]; j++) if (poolAt(xv, plane, h, wd, y * st[0] - pad[0] + i, z * st[1] - pad[1] + j) == max) ties++;
                    double share = gv[(plane * oh + y) * ow + z] * (ties == 0 ? 0 : 1) / ties;
                    for (int i = 0; i < k[0]; i++)
                        for (int j = 0; j < k[1]; j++) {
                            long iy = y * st[0] - pad[0] + i, ix = z * st[1] - pad[1] + j;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                            int at = (plane * h + (int) iy) * wd + (int) ix;
                            if (ties == 0 || xv[at] == max) out[at] += share;
                        }
                }
        return Tensor.of(r.dtype(), x.shape(), out);
    });

    /** x[plane, iy, ix], -inf in the padding. */
    private static double poolAt(double[] xv, int plane, int h, int wd, long iy, long ix) {
        return iy >= 0 && iy < h && ix >= 0 && ix < wd ? xv[(plane * h + (int) iy) * wd + (int) ix] : Double.NEGATIVE_INFINITY;
    }

    private static Kernel pool(boolean max) {
        return Kernel.of((in, attrs, r) -> {
            Tensor x = in.getFirst();
            long[] k = attrs.pair("kernel"), st = attrs.pair("stride"), pad = attrs.pair("padding");
            int[] os = Tensor.shapeOf(r);
            int h = x.dim(2), wd = x.dim(3), oh = os[2], ow = os[3];
            double[] xv = x.toArray();
            return Tensor.build(r.dtype(), os, flat -> {
                int plane = flat / (oh * ow), y = flat / ow % oh, z = flat % ow;  // plane = n·C + c
                double acc = max ? Double.NEGATIVE_INFINITY : 0;
                for (int i = 0; i < k[0]; i++)
                    for (int j = 0; j < k[1]; j++) {
                        long iy = y * st[0] - pad[0] + i, ix = z * st[1] - pad[1] + j;
                        boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
                        double v = inside ? xv[(plane * h + (int) iy) * wd + (int) ix] : max ? Double.NEGATIVE_INFINITY : 0;
                        acc = max ? Math.max(acc, v) : acc + v;
                    }
                return max ? acc : acc / (k[0] * k[1]);
            });
        });
    }
}
