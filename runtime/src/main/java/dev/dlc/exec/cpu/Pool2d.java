package dev.dlc.exec.cpu;

/**
 * max_pool2d and avg_pool2d forward, NCHW, as the op table's rows define them: padding reads
 * -inf for max (it never wins) and 0 for the average, which always divides by kh · kw
 * (PyTorch's count_include_pad). Planes (image, channel) are spread over the threads; each
 * output is one window's loop in a fixed order.
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
        if (win.tiles()) {
            Parallel.forRange(win.n() * win.c(), (lo, hi) -> tiles(x, xOff, out, outOff, win, max, lo, hi));
            return;
        }
        Parallel.forRange(win.n() * win.c(), (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++)
                for (int y = 0; y < oh; y++)
                    for (int z = 0; z < ow; z++)
                        out[outOff + (plane * oh + y) * ow + z] = window(x, xOff + plane * in, win, y, z, max);
        });
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
