package dev.dlc.exec.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Grey bytes to floats in [0, 1], a vector at a time, for the compiled backend's batches (the
 * only caller of a float row copy, and it runs with the Vector API; this class is loaded on
 * that path only). Why not floats made once: 188 MB and 0.3 s before the first step for
 * Fashion-MNIST's training set, where a batch's 200,704 pixels take about 20 µs here, on the
 * loader thread while the previous step computes.
 */
public final class Pixels {
    private Pixels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** As many bytes as F has lanes. */
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(F.length() * 8));

    /**
     * v / 255 in f32 equals {@code (float) (v / 255.0)}, the scalar path's value, for every byte
     * (checked here, so the vector path is taken only where the two agree bit for bit).
     */
    private static final boolean EXACT = exact();

    private static boolean exact() {
        for (int v = 0; v < 256; v++) if ((float) v / 255f != (float) (v / 255.0)) return false;
        return true;
    }

    /**
     * Scalar while the vector loop is not compiled yet: cold, a row's 49 vectors took about
     * 5 ms, and the early probes made the first batch 100 ms. A probe converts only the row's
     * first few vectors (the rest in scalars): enough calls for the JIT, little boxed work.
     */
    private static final Warming WARMING = new Warming("pixels");
    private static final int PROBE_VECTORS = 4;

    /** {@code dst[offset + i] = src[from + i] / 255} for i < n, the bytes unsigned: the value of {@code (float) (v / 255.0)}. */
    public static void scaled(byte[] src, int from, float[] dst, int offset, int n) {
        if (!EXACT) { scalar(src, from, dst, offset, n, 0); return; }
        long t0 = WARMING.start();
        if (t0 == Warming.HOT) { scalar(src, from, dst, offset, n, vector(src, from, dst, offset, n)); return; }
        if (t0 == 0) { scalar(src, from, dst, offset, n, 0); return; }
        int done = vector(src, from, dst, offset, Math.min(n, PROBE_VECTORS * F.length()));
        // compiled: a few nanoseconds; boxed: hundreds of microseconds
        WARMING.timed(t0, 2_000);
        scalar(src, from, dst, offset, n, done);
    }

    /** The whole vectors of the row; returns how many pixels they covered. */
    private static int vector(byte[] src, int from, float[] dst, int offset, int n) {
        int L = F.length(), i = 0;
        for (; i <= n - L; i += L) {
            IntVector v = (IntVector) ByteVector.fromArray(B, src, from + i).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            ((FloatVector) v.convert(VectorOperators.I2F, 0)).div(255f).intoArray(dst, offset + i);
        }
        return i;
    }

    /** Pixels [start, n) of the row one at a time. */
    private static void scalar(byte[] src, int from, float[] dst, int offset, int n, int start) {
        for (int i = start; i < n; i++) dst[offset + i] = (float) ((src[from + i] & 0xFF) / 255.0);
    }
}
