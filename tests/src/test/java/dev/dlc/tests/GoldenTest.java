package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden files: {@code tests/golden/summary/X.dl} against {@code X.summary} (the output of
 * `dlc check --summary`), and {@code tests/golden/ir/X.dl} against {@code X.ir} (`dlc ir`).
 * A first line {@code # dlc: ARGS} adds arguments. Regenerate with {@code -Dgolden.update=true}.
 */
class GoldenTest {
    @TestFactory
    Stream<DynamicTest> summaries() { return golden("summary", ".summary", List.of("check", "--summary")); }

    @TestFactory
    Stream<DynamicTest> ir() { return golden("ir", ".ir", List.of("ir")); }

    private static Stream<DynamicTest> golden(String folder, String ext, List<String> command) {
        var files = Repo.dlFiles("tests/golden/" + folder);
        assertTrue(!files.isEmpty(), "no golden cases in tests/golden/" + folder);
        return files.stream().map(f -> dynamicTest(f.getFileName().toString(), () -> {
            var args = new ArrayList<>(command);
            args.add(f.toString());
            args.addAll(Repo.argsOf(f));
            var run = Repo.dlc(args.toArray(String[]::new));
            assertEquals("", run.err(), "diagnostics");
            assertEquals(0, run.status());
            Path expected = Path.of(f.toString().replaceAll("\\.dl$", ext));
            if (Repo.UPDATE) Repo.write(expected, run.out());
            assertTrue(Files.exists(expected), "missing " + Repo.relative(expected) + "; run with -Dgolden.update=true");
            assertEquals(Repo.read(expected), run.out());
        }));
    }
}
