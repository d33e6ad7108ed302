package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `dlc run`: smoke versions of real training runs (a few dozen steps), their JSON lines, and
 * the ways a run is refused (a bad --set, missing data) with a message and exit status 1.
 */
class RunCommandTest {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void softmaxRegressionLearnsFashionMnistInAFewDozenSteps(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(FASHION), "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist");
        Path metrics = tmp.resolve("m.jsonl");
        var run = Repo.dlc("run", Repo.path("examples/softmax_regression.dl").toString(), "--set", "epochs=1",
                "--limit-batches", "40", "--metrics-out", metrics.toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        var line = Files.readString(metrics).strip();
        for (String key : new String[] {"\"train\": \"softmax_regression\"", "\"epoch\": 1", "\"train_loss\": ", "\"samples_per_s\": ",
                "\"seconds\": ", "\"test_accuracy\": ", "\"test_loss\": "})
            assertTrue(line.contains(key), key + " in " + line);
        double accuracy = Double.parseDouble(line.replaceAll(".*\"test_accuracy\": ([0-9.e-]+).*", "$1"));
        assertTrue(accuracy > 0.6, "test accuracy after 40 steps: " + accuracy);
        assertTrue(run.out().contains("train softmax_regression: 1 epoch in "), run.out());
    }

    @Test
    void logisticRegressionSeparatesItsSyntheticData() {
        var run = Repo.dlc("run", Repo.path("examples/logistic.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        var last = run.out().lines().reduce((a, b) -> b).orElseThrow();
        double accuracy = Double.parseDouble(last.replaceAll(".*test binary_accuracy ([0-9.]+).*", "$1"));
        assertTrue(accuracy >= 0.99, last);
    }

    @Test
    void aBadSettingIsRefusedWithAHint() {
        var run = Repo.dlc("run", Repo.path("examples/logistic.dl").toString(), "--set", "optimizer.lrr=0.5");
        assertEquals(1, run.status());
        assertEquals("dlc: --set optimizer.lrr=0.5: optimizer sgd has no hyperparameter 'lrr'; did you mean 'lr'?\n", run.err());
        run = Repo.dlc("run", Repo.path("examples/logistic.dl").toString(), "--set", "epochs=two");
        assertEquals(1, run.status());
        assertEquals("dlc: --set epochs=two: epochs expects a positive Int, found 'two'\n", run.err());
        run = Repo.dlc("run", Repo.path("examples/logistic.dl").toString(), "--set", "data.features=3");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("data.features sizes the model's input"), run.err());
    }

    @Test
    void missingDataNamesThePackage() {
        var run = Repo.dlc("run", Repo.path("tests/run/missing_data.dl").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith("tests/run/missing_data.dl:7:17: error: fashion_mnist: no folder /nonexistent/fashion-mnist"), run.err());
        assertTrue(run.err().contains("apt-get install dataset-fashion-mnist"), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    @Test
    void aDivergingLossNamesTheOpWhereTheFirstNaNAppears() {
        var run = Repo.dlc("run", Repo.path("tests/run/diverges.dl").toString());
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith("tests/run/diverges.dl:5:16: error: the loss is NaN at step 2 (epoch 1, batch 2); the first NaN or infinity comes from 'log'"),
                run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    @Test
    void aResumedRunContinuesExactlyAsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        // Dropout and a shuffle make every step depend on the seed, the epoch and the step count.
        String file = Repo.path("tests/run/resume.dl").toString();
        Path whole = tmp.resolve("whole.jsonl"), parts = tmp.resolve("parts.jsonl"), dir = tmp.resolve("ckpt");
        assertEquals(0, Repo.dlc("run", file, "--set", "epochs=3", "--metrics-out", whole.toString()).status());
        assertEquals(0, Repo.dlc("run", file, "--set", "epochs=1", "--set", "checkpoint=" + dir, "--metrics-out", parts.toString()).status());
        var resumed = Repo.dlc("run", file, "--set", "epochs=3", "--set", "checkpoint=" + dir, "--metrics-out", parts.toString(),
                "--plot", tmp.resolve("curves.png").toString());
        assertEquals("", resumed.err());
        assertTrue(resumed.out().contains("resuming from " + dir + " after epoch 1 (step 4)"), resumed.out());
        assertEquals(losses(whole), losses(parts), "the loss curve of the resumed run");
        assertTrue(Files.size(tmp.resolve("curves.png")) > 1000);
    }

    @Test
    void aCheckpointOfAnotherModelIsRefused(@TempDir Path tmp) {
        Path dir = tmp.resolve("ckpt");
        assertEquals(0, Repo.dlc("run", Repo.path("tests/run/resume.dl").toString(), "--set", "epochs=1", "--set", "checkpoint=" + dir).status());
        var run = Repo.dlc("run", Repo.path("examples/logistic.dl").toString(), "--set", "checkpoint=" + dir);
        assertEquals(1, run.status());
        assertTrue(run.err().contains("examples/logistic.dl:"), run.err());
        assertTrue(run.err().contains("checkpoint"), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    private static java.util.List<String> losses(Path jsonl) throws java.io.IOException {
        return Files.readAllLines(jsonl).stream().map(l -> l.replaceAll(".*\"train_loss\": ([^,]+),.*", "$1")).toList();
    }

    @Test
    void mainRunsAfterTheTrainJobs() {
        var run = Repo.dlc("run", Repo.path("tests/run/train_then_main.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        int trained = run.out().indexOf("train fit_line: 2 epochs"), main = run.out().indexOf("main ran after training: 6");
        assertTrue(trained >= 0 && main > trained, run.out());
    }

    @Test
    void everyOptimizerOfTheStdlibTrains() {
        var run = Repo.dlc("run", Repo.path("examples/optimizers.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        var finals = run.out().lines().filter(l -> l.matches("train \\w+: .*")).toList();
        assertEquals(9, finals.size(), run.out());
        for (String line : finals) {
            double loss = Double.parseDouble(line.replaceAll(".*train loss ([0-9.]+).*", "$1"));
            // adadelta has no learning rate and starts slowly; the others reach the noise floor
            assertTrue(loss < (line.startsWith("train adadelta") ? 1.0 : 0.01), line);
        }
    }

    @Test
    void everyScheduleDrivesTraining() {
        var run = Repo.dlc("run", Repo.path("examples/schedules.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        var finals = run.out().lines().filter(l -> l.matches("train \\w+: .*")).toList();
        assertEquals(9, finals.size(), run.out());
        for (String line : finals) assertTrue(Double.parseDouble(line.replaceAll(".*test accuracy ([0-9.]+).*", "$1")) > 0.9, line);
        // warmup(cosine(...)) is cosine's own warmup written as a composition: the same run
        assertEquals(trainLoss(finals, "cosine_lr"), trainLoss(finals, "warmup_cosine_lr"), run.out());
    }

    private static String trainLoss(List<String> finals, String job) {
        return finals.stream().filter(l -> l.startsWith("train " + job + ":")).findFirst().orElseThrow()
                .replaceAll(".*train loss ([0-9.]+).*", "$1");
    }

    @Test
    void linearRegressionFromScratchRecoversTheTrueWeights() {
        var run = Repo.dlc("run", Repo.path("examples/linreg_scratch.dl").toString());
        assertEquals("", run.err());
        var last = run.out().lines().reduce((a, b) -> b).orElseThrow();
        // |(2, -3.4, 4.2)| = 5.7603
        double norm = Double.parseDouble(last.replaceAll(".*weight norm ([0-9.]+).*", "$1"));
        assertEquals(5.7603, norm, 0.01, last);
    }
}
