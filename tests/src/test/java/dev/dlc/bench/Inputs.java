package dev.dlc.bench;

import java.util.SplittableRandom;

/** Benchmark inputs and the check each benchmark makes before it is timed. */
final class Inputs {
    private Inputs() {}

    /** Values in [-1, 1), the same for the same seed. */
    static float[] random(int n, long seed) {
        var r = new SplittableRandom(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    /** Within f32 rounding of a double result, scaled by the sum of the terms' magnitudes. */
    static void check(float got, double want, double magnitude, String what) {
        if (!(Math.abs(got - want) <= 1e-5 * (magnitude + 1)))
            throw new IllegalStateException(what + ": " + got + ", expected " + want);
    }
}
