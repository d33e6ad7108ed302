package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.Compiler;
import dev.dlc.check.TrainStep;
import dev.dlc.exec.Backend;
import dev.dlc.exec.cpu.CpuProgram;
import dev.dlc.ir.Node;
import dev.dlc.train.Initializers;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.HashMap;
import java.util.IdentityHashMap;
import dev.dlc.ir.Interpreter;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.Pipeline;
import dev.dlc.train.InterpretedTrainer;
import dev.dlc.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The compiled CPU backend against the interpreter (the oracle): every train job of the
 * examples and of tests/train and tests/run, its step at batch 2 (images as small as the model
 * allows), three steps on both backends from the same initial slots and the same random
 * batches. Loss, metrics and every slot after every step agree within
 * {@code |cpu - interp| <= RTOL * (|interp| + scale)}, scale the largest magnitude of that
 * tensor. Why 1e-4: scalar elementwise ops and reductions are generated to round exactly as
 * the interpreter does (double, then f32 after every op), vector exp, sigmoid, tanh and f32
 * softmax lines within a few ulp, but matmul and conv run in f32 with FMA, where the
 * interpreter sums in double: an f32 dot product of K terms is off by up to about
 * K·2^-24 of the sum of |terms| (K = 784: 5e-5), and three steps of updates carry that on.
 * A job the cpu backend cannot run fails unless it is in {@link #EXCLUDED} with a reason.
 */
class BackendAgreementTest {
    static final double RTOL = 1e-4;
    static final int STEPS = 3;

    /**
     * Jobs whose whole steps are not compared, "file train job" -> why: at batch 2 their steps are
     * ill-conditioned, so the few ulps by which an f32 GEMM differs from the interpreter's double
     * sums grow past any per-dtype tolerance (a measured case is given in each reason). Their
     * every kernel is compared given the same inputs ({@link #everyKernelAgreesGivenTheSameInputs}).
     */
    static final Map<String, String> EXCLUDED = Map.of(
            "examples/alexnet.dl train alexnet", "ReLU and max-pool decisions near ties flip: 0.w is off by 1.6e-4 (relative L2) after one step",
            "examples/densenet.dl train densenet", "batch norm over 2 images divides by sqrt of tiny variances: 0.w off by 5e-4 (L2) after one step",
            "examples/resnet18.dl train resnet18", "batch norm over 2 images, 1/sqrt(var + eps) up to 118: kernel errors of 1e-6 become 2 % of the loss",
            "examples/transformer.dl train transformer", "softmax attention at batch 2 amplifies: w_k off by 1.1e-3 (L2) after one step",
            "examples/vit.dl train vit", "softmax attention at batch 2 under Adam amplifies: the vector softmax's 2-3 ulp (f32 exp) put "
                    + "blocks.1.ff.2.w[3941] 2.8e-5 (3e-4 relative) from the interpreter's after two steps",
            "tests/run/diverges.dl train diverges", "lr = 1e6 on purpose: f32 rounding differences grow until one backend's loss is -inf a step "
                    + "before the other's; divergence itself is tested by aNonFiniteLossNamesTheOpThatMadeIt");

    @TestFactory
    Stream<DynamicTest> everyTrainJobAgreesWithTheInterpreter() {
        return jobs().filter(j -> !EXCLUDED.containsKey(j.name())).map(j -> dynamicTest(j.name(), () -> agree(j.file(), j.job())));
    }

    /** A train job of a file, named "FILE train JOB" (relative to the repository). */
    private record Job(Path file, String job) {
        String name() { return Repo.relative(file) + " train " + job; }
    }

    /** Every train job of the examples and of tests/train and tests/run. */
    private static Stream<Job> jobs() {
        var files = new ArrayList<Path>();
        for (String folder : List.of("examples", "tests/train", "tests/run")) files.addAll(Repo.dlFiles(folder));
        return files.stream().flatMap(f -> {
            var c = Compiler.checkFile(f);
            return c.ok() ? c.checker().jobs().keySet().stream().map(job -> new Job(f, job)) : Stream.of();
        });
    }

    private static void agree(Path f, String job) {
        var lowered = SmallSteps.of(f, job);
        assertNotNull(lowered, job + " lowers to a step");
        var step = lowered.step().withGraph(Pipeline.checked().run(lowered.step().graph()));
        var interp = new InterpretedTrainer(lowered.checker(), step, Interpreter.Precision.F32);
        var cpu = Backend.named("cpu").trainer(lowered.checker(), step, _ -> null);
        var rng = new SplittableRandom(11);
        for (int s = 1; s <= STEPS; s++) {
            var batch = randomBatch(step, rng);
            var e = interp.step(batch);
            var a = cpu.step(batch);
            close("loss at step " + s, e.loss(), a.loss(), Math.abs(e.loss()));
            for (int m = 0; m < e.metrics().size(); m++)
                close(step.metrics().get(m).name() + " at step " + s, e.metrics().get(m), a.metrics().get(m), 1);
            for (var slot : step.slots()) close(slot.path() + " after step " + s, interp.value(slot.path()), cpu.value(slot.path()));
        }
    }

    private static void close(String what, double expected, double actual, double scale) {
        boolean ok = Double.compare(expected, actual) == 0 || Math.abs(actual - expected) <= RTOL * (Math.abs(expected) + scale) + 1e-7;
        assertTrue(ok, what + ": interp " + expected + ", cpu " + actual);
    }

    private static void close(String what, Tensor expected, Tensor actual) {
        assertEquals(expected.type(), actual.type(), what);
        double scale = 0;
        for (int i = 0; i < expected.numel(); i++) scale = Math.max(scale, Math.abs(expected.at(i)));
        for (int i = 0; i < expected.numel(); i++) close(what + " element " + i, expected.at(i), actual.at(i), scale);
    }

    /**
     * Every kernel of every job's step, given the interpreter's values of what it reads, writes
     * what the interpreter computes, within RTOL of the tensor's scale. This isolates each
     * kernel from what earlier kernels' f32 rounding did, so it covers the jobs whose whole
     * steps are too ill-conditioned to compare (EXCLUDED) as well. Every scan runs compiled
     * (its body a program of its own), none through the interpreter.
     */
    @TestFactory
    Stream<DynamicTest> everyKernelAgreesGivenTheSameInputs() {
        return jobs().map(j -> dynamicTest(j.name(), () -> kernelsAgree(j.file(), j.job())));
    }

    private static void kernelsAgree(Path f, String job) {
        var lowered = SmallSteps.of(f, job);
        assertNotNull(lowered, job + " lowers to a step");
        var step = lowered.step().withGraph(Pipeline.checked().run(lowered.step().graph()));
        var p = CpuProgram.compile(step.graph(), true);
        for (String fallback : p.fallbacks()) assertFalse(fallback.contains(" scan ["), "interpreted: " + fallback);
        var inputs = new HashMap<String, Tensor>();
        var batch = randomBatch(step, new SplittableRandom(11));
        for (int i = 0; i < batch.size(); i++) inputs.put(step.data().get(i).name(), batch.get(i));
        inputs.put(step.step().name(), Tensor.scalar(DType.F32, 1));
        for (var h : step.scheduled()) inputs.put(h.input().name(), Tensor.scalar(DType.F32, lowered.checker().scheduleAt(h.schedule(), 1)));
        var params = new HashMap<String, Tensor>();
        for (var s : step.slots()) params.put(s.path(), Initializers.initial(s.init(), s.node().type(), s.path(), step.seed()));
        var written = new ArrayList<Node>();
        for (var k : p.fused().kernels()) for (Node o : k.outputs()) if (o.type() instanceof Type.Tensor) written.add(o);
        long seed = 99;
        var values = Interpreter.run(step.graph().withOutputs(written), inputs, params, new Interpreter.Options(Interpreter.Precision.F32, true, seed));
        var expected = new IdentityHashMap<Node, Tensor>();
        for (int i = 0; i < written.size(); i++) expected.put(written.get(i), values.get(i));
        inputs.forEach(p::input);
        params.forEach(p::param);
        p.run(seed, k -> {
            for (Node in : k.inputs()) if (expected.containsKey(in)) p.set(in, expected.get(in));
        }, k -> {
            for (Node o : k.outputs()) if (expected.containsKey(o)) close("k" + k.id() + " " + k.kind() + " " + o.type(), expected.get(o), p.value(o));
        });
    }

    @Test
    void twoRunsGiveTheSameBits() {
        var lowered = SmallSteps.of(Repo.path("examples/mlp_dropout.dl"), "mlp_dropout");
        var step = lowered.step().withGraph(Pipeline.checked().run(lowered.step().graph()));
        var slots = new ArrayList<List<double[]>>();
        for (int run = 0; run < 2; run++) {
            var cpu = Backend.named("cpu").trainer(lowered.checker(), step, _ -> null);
            var rng = new SplittableRandom(5);
            for (int s = 0; s < 2; s++) cpu.step(randomBatch(step, rng));
            slots.add(cpu.slots().values().stream().map(Tensor::toArray).toList());
        }
        for (int i = 0; i < slots.get(0).size(); i++) assertArrayEquals(slots.get(0).get(i), slots.get(1).get(i), "slot " + i);
    }

    @Test
    void aBatchGatheredDuringTheStepBeforeTrainsAsOneGatheredInPlace() {
        var lowered = SmallSteps.of(Repo.path("examples/mlp_dropout.dl"), "mlp_dropout");
        var step = lowered.step().withGraph(Pipeline.checked().run(lowered.step().graph()));
        int batch = (int) step.data().getFirst().type().dim(0).value();
        var data = new RandomRows(step, 5 * batch);
        int[][] order = new int[5][];
        for (int b = 0; b < order.length; b++) {
            order[b] = new int[batch];
            for (int i = 0; i < batch; i++) order[b][i] = (b * 7 + i * 3) % data.size();
        }
        var slots = new ArrayList<List<double[]>>();
        for (boolean ahead : new boolean[] {false, true}) {
            var cpu = Backend.named("cpu").trainer(lowered.checker(), step, _ -> null);
            for (int b = 0; b < order.length; b++) {
                if (ahead) cpu.step(data, order[b], b + 1 < order.length ? order[b + 1] : null);
                else cpu.step(data, order[b]);
            }
            slots.add(cpu.slots().values().stream().map(Tensor::toArray).toList());
        }
        for (int i = 0; i < slots.get(0).size(); i++) assertArrayEquals(slots.get(0).get(i), slots.get(1).get(i), "slot " + i);
    }

    /** n random examples shaped as a step's data inputs (floats in [-1, 1), integers in [0, 2)). */
    private record RandomRows(TrainStep step, int size, List<Tensor> parts) implements dev.dlc.data.DataSet {
        RandomRows(TrainStep step, int size) {
            this(step, size, parts(step, size));
        }

        private static List<Tensor> parts(TrainStep step, int size) {
            var rng = new SplittableRandom(11);
            var out = new ArrayList<Tensor>();
            for (var in : step.data()) {
                var t = in.type();
                int[] shape = Tensor.shapeOf(t).clone();
                shape[0] = size;
                out.add(Tensor.build(t.dtype(), shape, _ -> t.dtype().isFloat() ? rng.nextDouble(-1, 1) : rng.nextInt(2)));
            }
            return out;
        }

        @Override public List<Tensor> batch(int[] indices) {
            var out = new ArrayList<Tensor>();
            for (Tensor all : parts) {
                int[] shape = all.shape().clone();
                int row = (int) (all.numel() / shape[0]);
                shape[0] = indices.length;
                out.add(Tensor.build(all.dtype(), shape, i -> all.at(indices[i / row] * row + i % row)));
            }
            return out;
        }

        @Override public List<dev.dlc.types.Type.Tensor> elementTypes(int batch) {
            return step.data().stream().map(Node.Input::type).toList();
        }
    }

    @Test
    void aNonFiniteLossNamesTheOpThatMadeIt() {
        var lowered = SmallSteps.of(Repo.path("tests/run/diverges.dl"), Compiler.checkFile(Repo.path("tests/run/diverges.dl")).checker().jobs().keySet().iterator().next());
        var step = lowered.step().withGraph(Pipeline.checked().run(lowered.step().graph()));
        var cpu = Backend.named("cpu").trainer(lowered.checker(), step, _ -> null);
        var rng = new SplittableRandom(3);
        Trainer.Diverged diverged = null;
        for (int s = 0; s < 200 && diverged == null; s++) {
            try {
                cpu.step(randomBatch(step, rng));
            } catch (Trainer.Diverged d) {
                diverged = d;
            }
        }
        assertNotNull(diverged, "the loss of tests/run/diverges.dl goes non-finite");
        assertNotNull(diverged.origin, "the interpreter found the op that first made a NaN or an infinity");
    }


    /** Floats uniform in [-1, 1), integers (labels, token ids) in [0, 2): valid for every class and vocabulary count. */
    static List<Tensor> randomBatch(TrainStep step, SplittableRandom rng) {
        var out = new ArrayList<Tensor>();
        for (var in : step.data()) {
            var t = in.type();
            out.add(Tensor.build(t.dtype(), Tensor.shapeOf(t), _ -> t.dtype().isFloat() ? rng.nextDouble(-1, 1) : rng.nextInt(2)));
        }
        return out;
    }
}
