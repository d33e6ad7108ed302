package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The error corpus: each {@code tests/error/NAME.dl} must fail `dlc check` with exactly the
 * diagnostics of {@code NAME.err}. Regenerate with {@code -Dgolden.update=true} and read the diff.
 * Files under {@code tests/error/lib/} are imported by the cases and are not cases themselves.
 */
class ErrorCorpusTest {
    static Stream<Path> cases() {
        return Repo.dlFiles("tests/error").stream().filter(p -> !p.getParent().endsWith("lib"));
    }

    @Test
    void corpusIsLargeEnough() {
        assertTrue(cases().count() >= 60, "the error corpus needs at least 60 cases, has " + cases().count());
    }

    @TestFactory
    Stream<DynamicTest> errorCases() {
        return cases().map(f -> dynamicTest(f.getFileName().toString(), () -> {
            var run = Repo.dlc("check", f.toString());
            Path expected = Path.of(f.toString().replaceAll("\\.dl$", ".err"));
            if (Repo.UPDATE) Repo.write(expected, run.err());
            assertTrue(Files.exists(expected), "missing " + Repo.relative(expected) + "; run with -Dgolden.update=true");
            assertEquals(Repo.read(expected), run.err(), Repo.relative(f));
            assertEquals(1, run.status(), "exit status of dlc check " + Repo.relative(f));
        }));
    }
}
