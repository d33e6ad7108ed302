package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.Compiler;
import dev.dlc.ir.Verifier;
import java.util.ArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The typed IR the checker builds for every train job of the examples and the valid
 * corpus passes the verifier: arguments defined before use, and every type what the op
 * table infers again.
 */
class IrVerifierTest {
    @TestFactory
    Stream<DynamicTest> trainJobGraphsVerify() {
        var files = new ArrayList<>(Repo.dlFiles("examples"));
        files.addAll(Repo.dlFiles("tests/valid"));
        return files.stream().flatMap(f -> {
            var c = Compiler.checkFile(f);
            return c.checker().jobs().keySet().stream().map(job -> dynamicTest(Repo.relative(f) + " " + job, () -> {
                var instance = c.checker().instantiateJob(job);
                assertNotNull(instance, "the model of " + job + " could not be applied");
                assertEquals("", String.join("\n", Verifier.verify(c.checker().graph())));
            }));
        });
    }
}
