package dev.dlc.data;

/**
 * Bilinear resampling weights along one axis, from {@code in} samples to {@code out}, with
 * half-pixel centres (PyTorch's interpolate with align_corners = False, which torchvision's
 * Resize uses): output i samples input position (i + 0.5) * in / out - 0.5, clamped to the
 * edges, as lo + frac between neighbours lo and hi. No antialiasing: downsampling reads only
 * the two nearest samples (d2l only ever enlarges Fashion-MNIST, to 64, 96 or 224).
 */
final class Bilinear {
    final int[] lo, hi;
    final double[] frac;

    Bilinear(int in, int out) {
        lo = new int[out];
        hi = new int[out];
        frac = new double[out];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double src = Math.max(0, (i + 0.5) * scale - 0.5);
            int l = Math.min((int) src, in - 1);
            lo[i] = l;
            hi[i] = Math.min(l + 1, in - 1);
            frac[i] = l == in - 1 ? 0 : src - l;
        }
    }
}
