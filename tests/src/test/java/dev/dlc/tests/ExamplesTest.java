package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every example checks clean: no errors and no warnings. */
class ExamplesTest {
    @TestFactory
    Stream<DynamicTest> examplesCheckClean() {
        var files = Repo.dlFiles("examples");
        assertFalse(files.isEmpty(), "no examples found under " + Repo.path("examples"));
        return files.stream().map(f -> dynamicTest(Repo.relative(f), () -> {
            var run = Repo.dlc("check", f.toString());
            assertEquals("", run.err(), "diagnostics for " + Repo.relative(f));
            assertEquals(0, run.status());
        }));
    }
}
