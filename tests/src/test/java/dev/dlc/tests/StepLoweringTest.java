package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.Compiler;
import dev.dlc.ir.Node;
import dev.dlc.ir.Verifier;
import java.util.ArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every train job of the examples and the valid corpus lowers to one step program that
 * verifies: the loss, then every trainable parameter's next value, every buffer's and every
 * optimizer state's (recurrent models included: their scans have a derivative).
 */
class StepLoweringTest {
    @TestFactory
    Stream<DynamicTest> everyTrainJobLowersToAVerifiedStep() {
        var files = new ArrayList<>(Repo.dlFiles("examples"));
        files.addAll(Repo.dlFiles("tests/valid"));
        return files.stream().flatMap(f -> {
            var c = Compiler.checkFile(f);
            return c.checker().jobs().keySet().stream().map(job -> dynamicTest(Repo.relative(f) + " " + job, () -> {
                var step = c.checker().lowerStep(job, 2);
                assertNotNull(step, c.diags().render());
                assertFalse(c.diags().hasErrors(), c.diags().render());
                assertEquals("", String.join("\n", Verifier.verify(step.graph())));
                long trainable = step.graph().nodes().stream().filter(n -> n instanceof Node.Param p && p.trainable()).count();
                assertEquals(1 + step.metrics().size() + step.slots().size(), step.graph().outputs().size());
                assertTrue(step.slots().size() >= trainable, "a slot per parameter");
            }));
        });
    }
}
