package dev.dlc.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.dlc.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk while `dlc run` saves a checkpoint: the disk fills part way through the new
 * file. The run fails with a positioned error and no stack trace, the previous checkpoint
 * survives and still resumes, and no temporary file is left.
 */
class FullDiskSaveTest {
    @TempDir Path dir;

    private record Run(int status, String out, String err) {}

    private Run dlc(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    private Path program() throws IOException {
        return Files.writeString(dir.resolve("job.dl"), """
                use std.nn
                use std.data
                layer M() = seq { Linear(8); ReLU(); Linear(1); flatten(start = 0) }
                train job {
                    model      = M()
                    data       = synthetic_regression(n = 40, features = 20, batch = 10)
                    loss       = mse
                    optimizer  = adam(lr = 0.01)
                    epochs     = 1
                    checkpoint = "%s"
                }
                """.formatted(dir.resolve("ck")));
    }

    @Test
    void aSaveOnAFullDiskFailsClearlyAndTheOldCheckpointResumes() throws Exception {
        Path file = program();
        assertEquals(0, dlc("run", file.toString()).status());
        var first = Checkpoint.load(dir.resolve("ck"));
        assertEquals(1, first.epoch());

        var saved = Checkpoint.writeThrough;
        Run full;
        try {
            Checkpoint.writeThrough = ch -> CheckpointTest.failingAfter(ch, 1000);
            full = dlc("run", file.toString(), "--set", "epochs=2");
        } finally {
            Checkpoint.writeThrough = saved;
        }
        assertEquals(1, full.status(), full.out());
        String ck = dir.resolve("ck").toString();
        assertEquals(file + ":10:18: error: cannot save checkpoint " + ck + ": No space left on device\n"
                + "        checkpoint = \"" + ck + "\"\n"
                + "                     ^" + "~".repeat(ck.length() + 1) + "\n", full.err());
        assertFalse(full.out().contains("Exception"), full.out());

        assertEquals(first, Checkpoint.load(dir.resolve("ck")), "the old checkpoint is intact");
        try (var files = Files.list(dir.resolve("ck"))) {
            assertEquals(List.of(Checkpoint.FILE), files.map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
        }
        var resumed = dlc("run", file.toString(), "--set", "epochs=2");
        assertEquals(0, resumed.status(), resumed.err());
        assertEquals(2, Checkpoint.load(dir.resolve("ck")).epoch());
    }
}
