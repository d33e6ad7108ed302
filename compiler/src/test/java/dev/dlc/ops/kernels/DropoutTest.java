package dev.dlc.ops.kernels;

import static dev.dlc.ops.kernels.K.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.ops.Prim;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DropoutTest {
    static final int N = 20_000;
    static final Tensor ONES = Tensor.filled(DType.F32, s(N), 1);

    private static Tensor drop(double p, boolean training, long seed, long site) {
        return run(Prim.DROPOUT, Map.of("p", p, "training", training, "seed", seed, "site", site), type(DType.F32, N), ONES);
    }

    @Test void identityWhenNotTrainingOrPIsZero() {
        assertEquals(ONES, run(Prim.DROPOUT, Map.of("p", 0.5), type(DType.F32, N), ONES));
        assertEquals(ONES, drop(0.5, false, 1, 2));
        assertEquals(ONES, drop(0.0, true, 1, 2));
    }

    @Test void sameSeedAndSiteSameMask() {
        assertEquals(drop(0.3, true, 42, 7), drop(0.3, true, 42, 7));
    }

    @Test void otherSiteOrSeedOtherMask() {
        var a = drop(0.5, true, 42, 7);
        assertNotEquals(a, drop(0.5, true, 42, 8));
        assertNotEquals(a, drop(0.5, true, 43, 7));
    }

    @Test void keptValuesAreScaledAndKeptFractionIsOneMinusP() {
        double p = 0.3;
        var y = drop(p, true, 5, 0);
        int kept = 0;
        double sum = 0;
        for (int i = 0; i < N; i++) {
            double v = y.at(i);
            assertTrue(v == 0 || Math.abs(v - 1 / (1 - p)) < 1e-12, "element " + i + " is " + v);
            if (v != 0) kept++;
            sum += v;
        }
        // Binomial(20000, 0.7): standard deviation of the fraction is about 0.0032; allow 5 of them.
        assertEquals(0.7, kept / (double) N, 0.016);
        assertEquals(1.0, sum / N, 0.025, "inverted dropout keeps the mean");
    }

    @Test void uniformNumbersAreMultiplesOf2ToMinus24InTheUnitInterval() {
        long key = CounterRng.key(0, 0);
        for (int i = 0; i < 1000; i++) {
            double u = CounterRng.uniform(key, i);
            assertTrue(u >= 0 && u < 1);
            assertEquals(u, Math.scalb(Math.rint(Math.scalb(u, 24)), -24));
        }
    }
}
