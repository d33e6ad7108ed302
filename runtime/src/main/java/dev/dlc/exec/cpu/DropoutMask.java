package dev.dlc.exec.cpu;

import dev.dlc.ops.kernels.CounterRng;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dropout's keep mask for one vector of a generated loop: lane l is kept iff
 * {@code CounterRng.uniform(key, first + l) >= p}, the interpreter's draw, computed on long
 * lanes (SplitMix64's finalizer is adds, multiplies, shifts and xors). The uniform is a multiple
 * of 2^-24, exact in f32, so comparing it with the smallest float not below p decides as the
 * interpreter's double comparison does.
 */
public final class DropoutMask {
    private DropoutMask() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final LongVector IOTA = LongVector.zero(L).addIndex(1);

    /** The float threshold equivalent to p for uniforms that are floats. */
    public static float threshold(double p) {
        float f = (float) p;
        return f < p ? Math.nextUp(f) : f;
    }

    /** Bit l (l < F.length()) set iff element {@code first + l} of stream {@code key} is kept. */
    public static long keep(long key, long first, float p) {
        long bits = 0;
        for (int l = 0; l < F.length(); l += L.length()) {
            // z = key + (i + 1) * GOLDEN, then mix(z)
            LongVector z = IOTA.add(first + l + 1).mul(GOLDEN).add(key);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            var u = (FloatVector) z.lanewise(VectorOperators.LSHR, 40).convert(VectorOperators.L2F, 0);
            long lanes = u.compare(VectorOperators.GE, p * 0x1.0p24f).toLong() & ((1L << Math.min(L.length(), F.length() - l)) - 1);
            bits |= lanes << l;
        }
        return bits;
    }

    /** The scalar draw, for a loop's tail: the same test as the interpreter's. */
    public static boolean kept(long key, long i, double p) { return CounterRng.uniform(key, i) >= p; }
}
