package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.Compiler;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.KernelInterpreter;
import dev.dlc.ir.Printer;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.FusedPrinter;
import dev.dlc.pass.FusionPass;
import dev.dlc.pass.MemoryPlan;
import dev.dlc.pass.Pipeline;
import dev.dlc.types.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden cases of the fuse pass: {@code tests/golden/fused/X.dl} (a layer at the stage its
 * {@code # dlc:} line asks for, or with {@code --job NAME --batch N} a train job's step),
 * optimized by the pipeline, against {@code X.ir}: that graph, its kernels, its memory plan and
 * why each unfused edge was not fused (what `dlc ir --stage fused --explain-fusion` prints).
 * Each case's fused program is well formed, its plan keeps live buffers apart, and running it
 * kernel by kernel gives the graph's outputs. A case named {@code single} has one op and must
 * stay one kernel. Regenerate with {@code -Dgolden.update=true}.
 */
class FusedGoldenTest {
    @TestFactory
    Stream<DynamicTest> fused() {
        var files = Repo.dlFiles("tests/golden/fused");
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("single.dl")), "tests/golden/fused/single.dl");
        return files.stream().map(f -> dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    private static void check(Path file) {
        Graph g = Pipeline.checked().run(stage(file, Repo.argsOf(file)));
        var fused = FusionPass.run(g);
        assertEquals(List.of(), fused.verify(), "the fused program");
        assertEquals(List.of(), MemoryPlan.of(fused).verify(), "the memory plan");
        if (file.getFileName().toString().equals("single.dl")) assertEquals(1, fused.kernels().size(), "one op, one kernel");

        var values = Staged.randomValues(g, 1);
        values.get("inputs").put("t", Tensor.scalar(DType.F32, 2));
        var options = Interpreter.Options.f64().training(3);
        var expected = Interpreter.run(g, values.get("inputs"), values.get("params"), options);
        var actual = KernelInterpreter.run(fused, values.get("inputs"), values.get("params"), options);
        for (int i = 0; i < expected.size(); i++)
            for (int k = 0; k < expected.get(i).numel(); k++)
                assertEquals(expected.get(i).at(k), actual.get(i).at(k), 1e-12, "output " + i + " element " + k);

        String printed = Printer.print(g) + FusedPrinter.print(fused, true);
        Path golden = Path.of(file.toString().replaceAll("\\.dl$", ".ir"));
        if (Repo.UPDATE) Repo.write(golden, printed);
        assertTrue(Files.exists(golden), "missing " + Repo.relative(golden) + "; run with -Dgolden.update=true");
        assertEquals(Repo.read(golden), printed);
    }

    /** A layer's graph as {@link Staged} builds it, or with {@code --job NAME --batch N} that job's training step. */
    private static Graph stage(Path file, List<String> args) {
        if (!args.contains("--job")) return Staged.of(file, args);
        var c = Compiler.checkFile(file);
        assertTrue(c.ok(), c.diags().render());
        var step = c.checker().lowerStep(args.get(args.indexOf("--job") + 1), Long.parseLong(args.get(args.indexOf("--batch") + 1)));
        assertTrue(step != null && !c.diags().hasErrors(), c.diags().render());
        return step.graph();
    }
}
