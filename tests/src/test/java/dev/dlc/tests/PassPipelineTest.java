package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.Compiler;
import dev.dlc.ast.Decl;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Verifier;
import dev.dlc.pass.AutodiffPass;
import dev.dlc.pass.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The whole optimization pipeline over real programs: every train job of the examples, every
 * layer and fn of the examples on sample inputs (forward and grad stage), and the graphs of
 * tests/golden/ir. The verifier runs after every pass (the pipeline's check mode names the
 * pass that broke a graph); where the interpreter can run a graph, the optimized graph must
 * give the same outputs on random inputs. A graph it cannot run (symbolic shapes, a constant
 * known only at run time, too large for a test) is verified only, and the test says why.
 */
class PassPipelineTest {
    @TestFactory
    Stream<DynamicTest> examples() {
        return Repo.dlFiles("examples").stream().flatMap(f -> {
            var tests = new ArrayList<DynamicTest>();
            var c = Compiler.checkFile(f);
            String file = Repo.relative(f);
            for (String job : c.checker().jobs().keySet()) {
                tests.add(dynamicTest(file + " train " + job, () -> optimize(() -> {
                    c.checker().instantiateJob(job);
                    return c.checker().graph();
                })));
                tests.add(dynamicTest(file + " train " + job + " model, B = 2", () -> optimize(() -> concrete(c, job))));
                tests.add(dynamicTest(file + " train " + job + " model, B = 2, grad", () -> optimize(() -> gradient(concrete(c, job)))));
            }
            for (Decl d : c.program().root().decls()) {
                if (!(d instanceof Decl.LayerDecl || d instanceof Decl.FnDecl)) continue;
                String name = ((Decl.Named) d).name().name();
                tests.add(dynamicTest(file + " " + name, () -> optimize(() -> sample(c, name))));
                tests.add(dynamicTest(file + " " + name + " grad", () -> optimize(() -> gradient(sample(c, name)))));
            }
            return tests.stream();
        });
    }

    @TestFactory
    Stream<DynamicTest> goldenIr() {
        return Repo.dlFiles("tests/golden/ir").stream().map(f -> dynamicTest(Repo.relative(f), () -> {
            Graph g = Staged.of(f, Repo.argsOf(f));
            optimize(() -> g);
            if (!Repo.argsOf(f).contains("grad")) optimize(() -> gradient(g));
        }));
    }

    /** A layer or fn of the file applied to sample inputs (B = 2, other sizes 3). */
    private static Graph sample(Compiler.Compilation c, String name) {
        var inputs = c.checker().sampleInputs(name, 3);
        Assumptions.assumeTrue(inputs != null, name + " has no sample inputs (it needs config values or untyped arguments)");
        var job = c.checker().instantiate(name, inputs, where(name));
        Assumptions.assumeTrue(job != null && !c.checker().graph().outputs().isEmpty(), name + " could not be applied to " + inputs);
        return c.checker().graph();
    }

    /**
     * The layer a train job trains, with its default config, on the job's data with every
     * symbolic size (the batch) 2: concrete, so the interpreter can run it.
     */
    private static Graph concrete(Compiler.Compilation c, String job) {
        var model = c.checker().instantiateJob(job);
        Assumptions.assumeTrue(model != null, job + ": its model could not be applied");
        var types = model.data().stream().map(t -> t.withShape(dev.dlc.types.Shape.of(
                t.shape().dims().stream().map(d -> d.isConst() ? d : dev.dlc.types.Dim.of(2)).toList()))).toList();
        var applied = c.checker().instantiate(model.name(), types, where(model.name()));
        Assumptions.assumeTrue(applied != null && !c.checker().graph().outputs().isEmpty(), model.name() + " with its default config could not be applied to " + types);
        return c.checker().graph();
    }

    private static dev.dlc.diag.Span where(String name) { return new dev.dlc.diag.Source("--layer", name).span(0, name.length()); }

    private static Graph gradient(Graph g) {
        Assumptions.assumeTrue(g.outputs().size() == 1 && g.outputs().getFirst().type() instanceof dev.dlc.types.Type.Tensor t && t.dtype().isFloat(),
                "the grad stage needs one float result");
        try {
            return Staged.gradient(g);
        } catch (AutodiffPass.NotDifferentiable e) {
            Assumptions.abort("no grad stage: " + e.getMessage());
            return null;
        }
    }

    private static void optimize(Supplier<Graph> staged) {
        Graph before = staged.get();
        assertEquals(List.of(), Verifier.verify(before), "the graph before the passes");
        Graph after = Pipeline.checked().run(before);
        String why = Staged.notInterpretable(before);
        Assumptions.assumeTrue(why == null, "verified after every pass; not interpreted: " + why);
        try {
            Interpreter.run(before, Staged.randomValues(before, 1).get("inputs"), Staged.randomValues(before, 1).get("params"), Interpreter.Options.f64());
        } catch (Interpreter.Error e) {
            Assumptions.abort("verified after every pass; the unoptimized graph does not run on random inputs: " + e.getMessage());
        }
        Staged.assertSameOutputs(before, after, "the optimized graph");
    }

}
