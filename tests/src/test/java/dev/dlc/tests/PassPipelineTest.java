package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.Compiler;
import dev.dlc.ast.Decl;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Verifier;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.Pipeline;
import dev.dlc.types.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The whole optimization pipeline over real programs: the training step of every train job of
 * the examples and the valid corpus (batch 2, images as small as the model allows), every
 * layer and fn of the examples that applies to sample inputs (forward and grad stage), and
 * the graphs of tests/golden/ir. The verifier runs after every pass (the pipeline's check mode
 * names the pass that broke a graph); the optimized graph must give the same outputs as the
 * original on random inputs, except for graphs too large to interpret twice in a test, which
 * are verified only.
 */
class PassPipelineTest {
    /** Operations (Staged's estimate) above which a graph is verified but not interpreted. */
    static final double INTERPRET_BUDGET = 3e8;

    @TestFactory
    Stream<DynamicTest> trainSteps() {
        var files = new ArrayList<>(Repo.dlFiles("examples"));
        files.addAll(Repo.dlFiles("tests/valid"));
        return files.stream().flatMap(f -> {
            var c = Compiler.checkFile(f);
            return c.checker().jobs().keySet().stream().map(job -> dynamicTest(Repo.relative(f) + " train " + job, () -> {
                var step = SmallSteps.step(f, job);
                assertNotNull(step, job + " lowers to a step");
                var values = Staged.randomValues(step.graph(), 1);
                // The step count and scheduled hyperparameters as a run gives them (Adam divides by 1 - beta^t).
                values.get("inputs").put("t", Tensor.scalar(DType.F32, 3));
                for (var h : step.scheduled()) values.get("inputs").put(h.input().name(), Tensor.scalar(DType.F32, 0.05));
                optimize(step.graph(), values);
            }));
        });
    }

    @TestFactory
    Stream<DynamicTest> layersAndFns() {
        var tests = new ArrayList<DynamicTest>();
        for (var f : Repo.dlFiles("examples")) {
            var c = Compiler.checkFile(f);
            for (Decl d : c.program().root().decls()) {
                if (!(d instanceof Decl.LayerDecl || d instanceof Decl.FnDecl)) continue;
                String name = ((Decl.Named) d).name().name();
                // Only those that apply to sample inputs without config values are listed.
                var inputs = c.checker().sampleInputs(name, 3);
                if (inputs == null || c.checker().instantiate(name, inputs, where(name)) == null || c.diags().hasErrors()) continue;
                Graph g = c.checker().graph();
                String file = Repo.relative(f);
                tests.add(dynamicTest(file + " " + name, () -> optimize(g, null)));
                if (g.outputs().size() == 1 && g.outputs().getFirst().type() instanceof dev.dlc.types.Type.Tensor t && t.dtype().isFloat())
                    tests.add(dynamicTest(file + " " + name + " grad", () -> optimize(Staged.gradient(g), null)));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> goldenIr() {
        return Repo.dlFiles("tests/golden/ir").stream().map(f -> dynamicTest(Repo.relative(f), () -> {
            Graph g = Staged.of(f, Repo.argsOf(f));
            optimize(g, null);
            if (!Repo.argsOf(f).contains("grad")) optimize(Staged.gradient(g), null);
        }));
    }


    private static dev.dlc.diag.Span where(String name) { return new dev.dlc.diag.Source("--layer", name).span(0, name.length()); }

    /** Verified before and after every pass; the same outputs before and after when small enough to run. */
    private static void optimize(Graph before, Map<String, Map<String, Tensor>> values) {
        assertEquals(List.of(), Verifier.verify(before), "the graph before the passes");
        Graph after = Pipeline.checked().run(before);
        assertEquals(before.outputs().size(), after.outputs().size());
        if (Staged.notInterpretable(before, INTERPRET_BUDGET) != null) return;
        Staged.assertSameOutputs(before, after, "the optimized graph", values);
    }
}
