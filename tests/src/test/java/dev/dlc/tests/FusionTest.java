package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.Compiler;
import dev.dlc.check.TrainStep;
import dev.dlc.ir.FusedProgram;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.KernelInterpreter;
import dev.dlc.ir.Node;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.FusionPass;
import dev.dlc.pass.MemoryPlan;
import dev.dlc.pass.Pipeline;
import dev.dlc.types.DType;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The fuse pass and the memory plan over the training step of every train job of the examples
 * (batch 2, images as small as the model allows): the fused program is well formed, running it
 * kernel by kernel (each kernel seeing only what it reads) gives the outputs of the unfused
 * step, and its memory plan keeps live buffers apart in an arena no larger than the naive one.
 */
class FusionTest {

    @TestFactory
    Stream<DynamicTest> everyExampleStepRunsKernelByKernel() {
        return Repo.dlFiles("examples").stream().flatMap(f -> {
            var c = Compiler.checkFile(f);
            assertTrue(c.ok(), c.diags().render());
            return c.checker().jobs().keySet().stream().map(job -> dynamicTest(Repo.relative(f) + " train " + job, () -> {
                var step = SmallSteps.step(f, job);
                assertNotNull(step, job + " lowers to a step");
                Graph optimized = Pipeline.checked().run(step.graph());
                FusedProgram fused = FusionPass.run(optimized);
                assertEquals(List.of(), fused.verify(), "the fused program");
                assertTrue(fused.computing() < optimized.nodes().stream().filter(n -> n instanceof Node.Apply).count(), "fusion fused something");
                var plan = MemoryPlan.of(fused);
                assertEquals(List.of(), plan.verify(), "the memory plan");
                assertTrue(plan.peak() <= plan.naive(), "peak " + plan.peak() + " above the naive " + plan.naive());
                assertSameOutputs(step, optimized, fused);
            }));
        });
    }

    /**
     * The fused step against the interpreter on the optimized step it was fused from, in f64 with
     * dropout on (the pipeline may move a scan, whose random stream is its position, so the
     * lowered step draws other masks; PassPipelineTest compares that one with dropout off).
     */
    private static void assertSameOutputs(TrainStep step, Graph optimized, FusedProgram fused) {
        var values = Staged.randomValues(step.graph(), 1);
        values.get("inputs").put("t", Tensor.scalar(DType.F32, 3)); // Adam divides by 1 - beta^t
        for (var h : step.scheduled()) values.get("inputs").put(h.input().name(), Tensor.scalar(DType.F32, 0.05));
        var options = Interpreter.Options.f64().training(7);
        var expected = Interpreter.run(optimized, values.get("inputs"), values.get("params"), options);
        var actual = KernelInterpreter.run(fused, values.get("inputs"), values.get("params"), options);
        assertEquals(expected.size(), actual.size(), "number of outputs");
        for (int i = 0; i < expected.size(); i++) {
            Tensor e = expected.get(i), a = actual.get(i);
            assertEquals(e.type(), a.type(), "type of output " + i);
            for (int k = 0; k < e.numel(); k++) {
                double x = e.at(k), y = a.at(k);
                boolean close = Double.compare(x, y) == 0 || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.max(Math.abs(x), Math.abs(y)));
                assertTrue(close, "output " + i + " element " + k + ": unfused " + x + ", fused " + y);
            }
        }
    }


    /** The kernels of a job's step at batch 2, for the counts below. */
    private static FusedProgram fusedStep(String example, String job) {
        var c = Compiler.checkFile(Repo.path(example));
        var step = c.checker().lowerStep(job, 2);
        return FusionPass.run(Pipeline.checked().run(step.graph()));
    }

    @Test
    void mlpStepFusesIntoFewKernelsAndReusesMemory() {
        var fused = fusedStep("examples/mlp.dl", "mlp");
        long ops = fused.graph().nodes().stream().filter(n -> n instanceof Node.Apply).count();
        assertTrue(fused.computing() <= ops / 3, fused.computing() + " kernels for " + ops + " ops");
        // Each weight's SGD update runs in the epilogue of the matmul that computes its gradient.
        long updatesInEpilogues = fused.kernels().stream().filter(k -> k.kind() == Kernel.Kind.OPAQUE
                && k.ops().stream().anyMatch(n -> n instanceof Node.Apply a && a.op().equals("sub") && a.args().getFirst() instanceof Node.Param)).count();
        assertEquals(2, updatesInEpilogues, "the updates of 1.w and 4.w");
        var plan = MemoryPlan.of(fused);
        assertEquals(List.of(), plan.verify());
        assertTrue(plan.peak() < plan.naive(), "buffers are reused: peak " + plan.peak() + ", naive " + plan.naive());
        // Reuse: two buffers whose lifetimes do not overlap share an offset.
        var buffers = plan.buffers();
        assertTrue(IntStream.range(0, buffers.size()).anyMatch(i -> IntStream.range(0, buffers.size()).anyMatch(j -> i != j
                && buffers.get(i).offset() == buffers.get(j).offset() && buffers.get(i).last() < buffers.get(j).first())), "an offset is reused");
    }

    /**
     * The transformer's global gradient norm (a sum of squares per parameter, added up) is
     * split over kernels of at most 16 reductions: each is a loop of the one Java method a
     * kernel's nest is, and all of them in one kernel made a method too long to compile.
     */
    @Test
    void aGradientNormOverManyParametersIsSplit() {
        var fused = fusedStep("examples/transformer.dl", "transformer");
        var counts = fused.kernels().stream().mapToLong(FusionTest::reductions).filter(n -> n > 0).sorted().toArray();
        // the most is the cap: the norm's sums fill one kernel, and none holds more
        assertEquals(16, counts[counts.length - 1], "reductions per kernel: " + java.util.Arrays.toString(counts));
    }

    private static long reductions(Kernel k) {
        return k.ops().stream().filter(n -> n instanceof Node.Apply a && !dev.dlc.ir.Scan.is(a)
                && dev.dlc.ops.OpTable.forNode(a.op(), a.args().size()).map(d -> d.fusion() == dev.dlc.ops.Fusion.REDUCE).orElse(false)).count();
    }

    @Test
    void lenetStepFusesConvolutionEpilogues() {
        var fused = fusedStep("examples/lenet.dl", "lenet");
        long ops = fused.graph().nodes().stream().filter(n -> n instanceof Node.Apply).count();
        assertTrue(fused.computing() <= ops / 2, fused.computing() + " kernels for " + ops + " ops");
        assertTrue(fused.kernels().stream().anyMatch(k -> k.kind() == Kernel.Kind.OPAQUE
                && k.ops().getFirst() instanceof Node.Apply a && a.op().equals("conv2d") && k.ops().size() >= 3), "conv2d + bias + activation in one kernel");
        var plan = MemoryPlan.of(fused);
        assertEquals(List.of(), plan.verify());
        assertTrue(plan.peak() < plan.naive());
    }

    @Test
    void dlcIrPrintsTheKernelsOfAStepAndWhyTheRestWasNotFused() {
        var run = Repo.dlc("ir", Repo.path("examples/mlp.dl").toString(), "--stage", "fused", "--batch", "2", "--explain-fusion");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("train step mlp("), run.out());
        assertTrue(run.out().contains("\nfused: 19 kernels and 1 view from 65 ops\n"), run.out());
        assertTrue(run.out().contains("\nk1 opaque [2,256] reads %0 $1.w $1.b writes %3 %4\n"), run.out());
        assertTrue(run.out().contains("  from nn.dl:11, nn.dl:98, nn.dl:115\n"), "stdlib lines, as file:line");
        assertTrue(run.out().contains("\nmemory: "), run.out());
        assertTrue(run.out().contains("%4 dropout -> %5 matmul: matmul is OPAQUE: it reads its operands from memory"), run.out());

        var layer = Repo.dlc("ir", Repo.path("tests/golden/fused/epilogue.dl").toString(), "--layer", "Dense", "--input", "f32[2,3]", "--stage", "fused");
        assertEquals(0, layer.status(), layer.err());
        assertTrue(layer.out().contains("\nk0 opaque [2,4] reads %x $w $b writes"), "the grad stage of a layer, fused:\n" + layer.out());

        var wrong = Repo.dlc("ir", Repo.path("examples/mlp.dl").toString(), "--stage", "opt", "--explain-fusion");
        assertEquals(1, wrong.status());
        assertEquals("dlc: --explain-fusion needs --stage fused\n", wrong.err());
    }

    @Test
    void overlappingLiveBuffersAreReported() {
        var x = new Node.Input("x", dev.dlc.types.Type.tensor(DType.F32, 16));
        var y = new Node.Input("y", dev.dlc.types.Type.tensor(DType.F32, 16));
        var plan = new MemoryPlan(List.of(new MemoryPlan.Buffer(x, false, 64, 0, 0, 2), new MemoryPlan.Buffer(y, false, 64, 0, 1, 3)), 64, 128);
        assertEquals(1, plan.verify().size(), plan.verify().toString());
        var apart = new MemoryPlan(List.of(new MemoryPlan.Buffer(x, false, 64, 0, 0, 1), new MemoryPlan.Buffer(y, false, 64, 0, 2, 3)), 64, 128);
        assertEquals(List.of(), apart.verify(), "dead before the other is born: may share");
    }
}
