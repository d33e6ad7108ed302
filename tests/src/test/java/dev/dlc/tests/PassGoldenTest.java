package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Node;
import dev.dlc.ir.Printer;
import dev.dlc.ir.Verifier;
import dev.dlc.pass.ConstantFoldPass;
import dev.dlc.pass.Pipeline;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * One folder of golden cases per optimization pass: {@code tests/golden/<pass>/X.dl} (its IR at
 * the stage its {@code # dlc:} line asks for) against {@code X.ir}, the graph printed before
 * and after the pass. Each case also passes the verifier after the pass and gives the same
 * interpreter outputs before and after; a case named {@code unchanged} must print the same
 * graph twice. Regenerate with {@code -Dgolden.update=true}.
 */
class PassGoldenTest {
    @TestFactory
    Stream<DynamicTest> passes() {
        return Pipeline.names().stream().flatMap(pass -> {
            var files = Repo.dlFiles("tests/golden/" + pass);
            assertTrue(files.size() >= 2, "tests/golden/" + pass + " needs cases, one of them 'unchanged'");
            assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("unchanged.dl")), "tests/golden/" + pass + "/unchanged.dl");
            return files.stream().map(f -> dynamicTest(pass + "/" + f.getFileName(), () -> check(pass, f)));
        });
    }

    private static void check(String pass, Path file) {
        Graph before = Staged.of(file, Repo.argsOf(file));
        assertEquals("", String.join("\n", Verifier.verify(before)), "the input graph");
        Graph after = Pipeline.named(pass).orElseThrow().run().apply(before);
        assertEquals("", String.join("\n", Verifier.verify(after)), "after " + pass);
        String printed = "before\n" + Printer.print(before) + "after " + pass + "\n" + Printer.print(after);
        if (file.getFileName().toString().equals("unchanged.dl")) assertEquals(Printer.print(before), Printer.print(after), "an unchanged case changed");
        else assertTrue(!Printer.print(before).equals(Printer.print(after)), "the pass changed nothing");
        Staged.assertSameOutputs(before, after, Repo.relative(file));

        Path expected = Path.of(file.toString().replaceAll("\\.dl$", ".ir"));
        if (Repo.UPDATE) Repo.write(expected, printed);
        assertTrue(Files.exists(expected), "missing " + Repo.relative(expected) + "; run with -Dgolden.update=true");
        assertEquals(Repo.read(expected), printed);
    }

    @Test
    void aConstantKnownOnlyAtRunTimeIsNotFolded() {
        // Const(NaN) stands for a config value without a default: folding it would invent a value.
        var g = new Graph();
        var b = new Builder(g);
        var unknown = g.add(new Node.Const(Double.NaN, Type.tensor(DType.F32)), null);
        var sum = b.add(unknown, b.constant(1, unknown));
        g.output(sum);
        var folded = ConstantFoldPass.run(g);
        assertSame(Node.Apply.class, folded.outputs().getFirst().getClass(), Printer.print(folded));
    }

    @Test
    void aPassThatBreaksTheGraphIsNamed() {
        var g = new Graph();
        var x = g.add(new Node.Input("x", Type.tensor(DType.F32, 2)), null);
        g.output(new Builder(g).neg(x));
        var broken = new Pipeline.Pass("drop-all", _ -> {
            var out = new Graph();
            out.output(x); // an output that is no node of the graph
            return out;
        });
        var e = org.junit.jupiter.api.Assertions.assertThrows(Pipeline.Broken.class,
                () -> new Pipeline(java.util.List.of(broken), true, (_, _, _) -> {}).run(g));
        assertEquals("drop-all", e.pass);
        assertTrue(e.getMessage().startsWith("pass 'drop-all' broke the IR"), e.getMessage());
    }
}
