package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example, and every program of the valid corpus (tests/valid: programs written to
 * probe the checker as a user would), checks clean: no errors and no warnings.
 */
class ExamplesTest {
    @TestFactory
    Stream<DynamicTest> examplesCheckClean() { return clean("examples"); }

    @TestFactory
    Stream<DynamicTest> validCorpusChecksClean() { return clean("tests/valid"); }

    private static Stream<DynamicTest> clean(String folder) {
        var files = Repo.dlFiles(folder);
        assertFalse(files.isEmpty(), "no programs found under " + Repo.path(folder));
        return files.stream().map(f -> dynamicTest(Repo.relative(f), () -> {
            var run = Repo.dlc("check", f.toString());
            assertEquals("", run.err(), "diagnostics for " + Repo.relative(f));
            assertEquals(0, run.status());
        }));
    }
}
