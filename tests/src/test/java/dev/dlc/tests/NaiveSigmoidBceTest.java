package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * LANGUAGE.md §9's sigmoid_bce (examples/logistic.dl, verbatim) computes log(1 - sigmoid(z)):
 * once a logit passes about 17.3, sigmoid(z) rounds to 1 in f32 and the loss is 0 · -inf = NaN.
 * A large learning rate gets there at the second step; the run stops with the op's position
 * and names the stable forms.
 */
class NaiveSigmoidBceTest {
    @Test
    void aSaturatedLogitMakesTheLossNaNAtTheLogOfOneMinusSigmoid() {
        var run = Repo.dlc("run", Repo.path("examples/logistic.dl").toString(), "--set", "optimizer.lr=100", "--set", "epochs=1");
        assertEquals(1, run.status(), run.out());
        assertEquals("""
                examples/logistic.dl:5:44: error: the loss is NaN at step 2 (epoch 1, batch 2); the first NaN or infinity comes from 'log'
                        mean(-(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z))))
                                                               ^~~~~~~~~~~~~~~~~~~
                note: lower the learning rate, clip gradients (clip = 1.0), or use a stable form (bce_with_logits, cross_entropy)
                """, run.err());
    }

    @Test
    void theStableFormTrainsAtTheSameRate() {
        // logits above 17.3 are met (the weight norm ends near 40), and the loss stays finite
        var run = Repo.dlc("run", Repo.path("tests/run/logistic_with_logits.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        var last = run.out().lines().filter(l -> l.startsWith("train logistic:")).findFirst().orElseThrow();
        assertTrue(Double.parseDouble(last.replaceAll(".*test binary_accuracy ([0-9.]+).*", "$1")) > 0.99, last);
    }
}
