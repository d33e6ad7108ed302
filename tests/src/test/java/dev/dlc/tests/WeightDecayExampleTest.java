package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** examples/weight_decay.dl (d2l 3.7): weight decay turns an overfitted model into one that generalizes. */
class WeightDecayExampleTest {
    /** A job's train and test loss of its last epoch. */
    record Losses(double train, double test) {}

    @Test
    void decayTradesTrainingFitForATestLossAThousandTimesLower() {
        var run = Repo.dlc("run", Repo.path("examples/weight_decay.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        var last = lastEpochs(run.out());
        var plain = last.get("no_decay");
        var decay = last.get("decay");
        // the figures of the example's header comment
        assertEquals(0.0, plain.train(), 1e-3, run.out());
        assertEquals(55.09, plain.test(), 0.01, run.out());
        assertEquals(0.2087, decay.train(), 1e-3, run.out());
        assertEquals(0.0477, decay.test(), 1e-3, run.out());
        assertTrue(decay.test() * 1000 < plain.test(), run.out());
    }

    /** The losses of each job's last "epoch E/N  train loss X  test loss Y" line. */
    private static Map<String, Losses> lastEpochs(String out) {
        var last = new HashMap<String, Losses>();
        String job = null;
        for (String line : out.lines().toList()) {
            if (line.matches("train \\w+")) job = line.substring("train ".length());
            else if (line.startsWith("epoch ") && job != null)
                last.put(job, new Losses(number(line, "train loss"), number(line, "test loss")));
        }
        return last;
    }

    private static double number(String line, String label) {
        return Double.parseDouble(line.replaceAll(".*" + label + " ([0-9.]+).*", "$1"));
    }
}
