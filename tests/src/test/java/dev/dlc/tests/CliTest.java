package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's contract: help, version, exit statuses, the LeNet summary. */
class CliTest {
    @Test
    void helpListsTheCommands() {
        var run = Repo.dlc("--help");
        assertEquals(0, run.status());
        assertTrue(run.out().contains("check") && run.out().contains("ir"), run.out());
    }

    @Test
    void versionNamesDlc() {
        var run = Repo.dlc("--version");
        assertEquals(0, run.status());
        assertTrue(run.out().startsWith("dlc "), run.out());
    }

    @Test
    void missingFileIsAnErrorNotAStackTrace() {
        var run = Repo.dlc("check", "no/such/file.dl");
        assertEquals(1, run.status());
        assertEquals("no/such/file.dl: error: no such file\n", run.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        var run = Repo.dlc("check", "--no-such-option", "x.dl");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("Unknown option"), run.err());
    }

    @Test
    void lenetHas61706Parameters() {
        var run = Repo.dlc("check", "--summary", Repo.path("examples/lenet.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status());
        assertTrue(run.out().contains("total: 61,706 parameters"), run.out());
    }

    @Test
    void benchTimesTheGivenStepsAfterTheGivenWarmUp() {
        var run = Repo.dlc("bench", Repo.path("examples/softmax_regression.dl").toString(), "--batch", "8", "--warmup", "3", "--steps", "4", "--kernels", "2");
        assertEquals("", run.err());
        assertEquals(0, run.status());
        var lines = run.out().lines().toList();
        assertTrue(lines.getFirst().startsWith("bench softmax_regression (cpu, batch 8, "), run.out());
        assertTrue(lines.getFirst().contains(": 4 steps in "), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.equals("  warm-up: 3 steps in " + l.substring(l.indexOf(" in ") + 4))), run.out());
        assertEquals(2, lines.stream().filter(l -> l.matches(" +[0-9.]+ ms  k[0-9]+ .*")).count(), run.out());
        assertTrue(lines.getLast().endsWith("kernels generated, 0 through the interpreter"), run.out());
    }

    @Test
    void benchRejectsAStepCountBelowOne() {
        var run = Repo.dlc("bench", Repo.path("examples/softmax_regression.dl").toString(), "--steps", "0");
        assertEquals(1, run.status());
        assertEquals("dlc: bench: --steps must be positive and --warmup not negative\n", run.err());
    }

    @Test
    void gradientStageOfARecurrentModel() {
        // The backward of a scan: a residual scan for the entering states, then a reverse scan of the body's VJP.
        var run = Repo.dlc("ir", Repo.path("examples/char_rnn.dl").toString(), "--stage", "grad");
        assertEquals("", run.err());
        assertEquals(0, run.status());
        assertEquals(1, run.out().lines().filter(l -> l.contains("= scan ") && l.contains("reverse=true")).count(), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"char_rnn"})     // GRU and LSTM layers: StdlibGradCheckTest (this check takes tens of seconds each)
    void gradcheckPassesOnTheRecurrentExamples(String example) {
        // Their layers need config values (the vocabulary): they are built as the train job builds them.
        var run = Repo.dlc("gradcheck", Repo.path("examples/" + example + ".dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status());
        var lines = run.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains(".fwd.w_h  max relative error")), run.out());
        assertTrue(lines.stream().allMatch(l -> l.endsWith("  ok")), run.out());
    }

    @Test
    void gradientStageOfAModelWithDropout() {
        var run = Repo.dlc("ir", Repo.path("examples/mlp.dl").toString(), "--input", "f32[2,1,28,28]", "--stage", "grad");
        assertEquals("", run.err());
        assertEquals(0, run.status());
        // The backward dropout names the forward's stream, so it applies the same mask.
        assertEquals(2, run.out().lines().filter(l -> l.contains("= dropout ") && l.contains("site=0")).count(), run.out());
    }

    @Test
    void gradcheckChecksLayersLossesAndTrainJobs() {
        var run = Repo.dlc("gradcheck", Repo.path("examples/logistic.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status());
        // The loss against its arguments, the layer against its input and parameters, the train
        // job's loss against the parameters with its step's own gradients; every line passes.
        assertEquals(List.of("sigmoid_bce input z", "sigmoid_bce input y", "Logistic input x", "Logistic parameter w",
                        "Logistic parameter b", "train logistic parameter w", "train logistic parameter b"),
                run.out().lines().map(l -> l.substring(0, l.indexOf("  max relative error"))).toList(), run.out());
        assertTrue(run.out().lines().allMatch(l -> l.endsWith("  ok")), run.out());
    }

    @Test
    void gradcheckFailsAboveItsTolerance() {
        // No difference quotient matches to zero: every line fails, and the exit status says so.
        var run = Repo.dlc("gradcheck", Repo.path("examples/logistic.dl").toString(), "--layer", "Logistic", "--tolerance", "0");
        assertEquals(1, run.status());
        assertTrue(run.out().lines().anyMatch(l -> l.endsWith("  FAILED")), run.out());
    }

    @Test
    void gradcheckPassesOnBatchNormInBothModesAndSaysAMetricIsNotDifferentiable() {
        // Running statistics start as their initializers (a random running variance could be negative).
        var run = Repo.dlc("gradcheck", Repo.path("tests/valid/11_batchnorm_scratch.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("[training] parameter"), run.out());
        // An accuracy fn has no gradient: said, not failed.
        run = Repo.dlc("gradcheck", Repo.path("tests/valid/04_softmax_by_hand.dl").toString());
        assertEquals(0, run.status(), run.out() + run.err());
        assertTrue(run.out().contains("my_acc: not differentiable (input 'logits' reaches the loss only through 'eq', which has no gradient); not checked"), run.out());
    }

    @Test
    void gradcheckNamesAnOpWithoutAGradient() {
        var run = Repo.dlc("gradcheck", Repo.path("tests/train/argmax_model.dl").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().contains("argmax_model.dl:5:43: error:"), run.err());
        assertTrue(run.err().contains("'argmax', which has no gradient"), run.err());
    }

    @Test
    void badInputTypeIsReported() {
        var run = Repo.dlc("ir", Repo.path("examples/lenet.dl").toString(), "--input", "f33[2]");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("unknown dtype 'f33'"), run.err());
    }

    @Test
    void optStagePrintsTheOptimizedGradient() {
        var run = Repo.dlc("ir", Repo.path("tests/golden/ir/linear_grad.dl").toString(), "--layer", "Affine", "--input", "f32[2,3]", "--stage", "opt");
        assertEquals("", run.err());
        assertEquals(0, run.status());
        assertTrue(run.out().contains("optimized: simplify, fold, cse, scan-merge, dce"), run.out());
        // d/db of sum(x @ w + b) over a batch of 2 folds to the constant 2.
        assertTrue(run.out().contains("= const 2"), run.out());
        assertTrue(!run.out().contains("reshape"), run.out());
    }

    @Test
    void printAfterDumpsTheNamedPass() {
        var run = Repo.dlc("ir", Repo.path("tests/golden/ir/linear_grad.dl").toString(), "--layer", "Affine", "--input", "f32[2,3]",
                "--stage", "opt", "--print-after", "fold", "--print-after", "dce");
        assertEquals("", run.err());
        assertEquals(0, run.status());
        assertTrue(run.out().contains("# after fold (round 1)") && run.out().contains("# after dce (round 1)"), run.out());
        assertTrue(!run.out().contains("# after cse"), run.out());
        var all = Repo.dlc("ir", Repo.path("tests/golden/ir/linear_grad.dl").toString(), "--layer", "Affine", "--input", "f32[2,3]",
                "--stage", "opt", "--print-after", "all");
        assertTrue(all.out().contains("# after simplify (round 1)") && all.out().contains("# after cse (round 1)"), all.out());
    }

    @Test
    void printAfterAnUnknownPassListsTheKnownOnes() {
        var run = Repo.dlc("ir", Repo.path("tests/golden/ir/linear_grad.dl").toString(), "--stage", "opt", "--print-after", "fuse");
        assertEquals(1, run.status());
        assertEquals("dlc: --print-after: unknown pass 'fuse'; known: simplify, fold, cse, scan-merge, dce, all\n", run.err());
        assertEquals("", run.out());
    }

    @Test
    void printAfterNeedsTheOptStage() {
        var run = Repo.dlc("ir", Repo.path("tests/golden/ir/linear_grad.dl").toString(), "--print-after", "dce");
        assertEquals(1, run.status());
        assertEquals("dlc: --print-after needs --stage opt\n", run.err());
    }
}
