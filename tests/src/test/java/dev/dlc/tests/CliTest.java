package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void gradientStageOfARecurrentModel() {
        // The backward of a scan: a residual scan for the entering states, then a reverse scan of the body's VJP.
        var run = Repo.dlc("ir", Repo.path("examples/char_rnn.dl").toString(), "--stage", "grad");
        assertEquals("", run.err());
        assertEquals(0, run.status());
        assertEquals(1, run.out().lines().filter(l -> l.contains("= scan ") && l.contains("reverse=true")).count(), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"char_rnn", "char_gru", "char_lstm"})
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
    void gradcheckChecksLayersAndLosses() {
        var run = Repo.dlc("gradcheck", Repo.path("examples/logistic.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status());
        // The loss against its arguments, the layer against its parameters; every line passes.
        var lines = run.out().lines().toList();
        assertEquals(4, lines.size(), run.out());
        assertTrue(lines.get(0).startsWith("sigmoid_bce argument z  max relative error "), run.out());
        assertTrue(lines.get(2).startsWith("Logistic parameter w  max relative error "), run.out());
        assertTrue(lines.stream().allMatch(l -> l.endsWith("  ok")), run.out());
    }

    @Test
    void badInputTypeIsReported() {
        var run = Repo.dlc("ir", Repo.path("examples/lenet.dl").toString(), "--input", "f33[2]");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("unknown dtype 'f33'"), run.err());
    }
}
