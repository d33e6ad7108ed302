package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.Compiler;
import dev.dlc.check.TrainStep;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Verifier;
import dev.dlc.pass.Pipeline;
import dev.dlc.ops.Tensor;
import dev.dlc.train.InterpretedTrainer;
import dev.dlc.types.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training through the reference interpreter: a `train` job lowered to one step program
 * (forward, loss, gradients, clipping, optimizer update) and run batch by batch. Optimizer
 * steps are compared with values worked out by hand; small models must learn their task.
 */
class TrainInterpreterTest {

    private static InterpretedTrainer trainer(String file, String job, long batch) {
        return trainer(file, job, batch, Interpreter.Precision.F64, false);
    }

    /** The job's step, as lowered or after the optimization pipeline (which must not change what it computes). */
    private static InterpretedTrainer trainer(String file, String job, long batch, Interpreter.Precision precision, boolean optimized) {
        var c = Compiler.checkFile(Repo.path(file));
        assertTrue(c.ok(), c.diags().render());
        TrainStep step = c.checker().lowerStep(job, batch);
        assertNotNull(step, c.diags().render());
        assertFalse(c.diags().hasErrors(), c.diags().render());
        assertEquals(List.of(), Verifier.verify(step.graph()), "the step program verifies");
        if (optimized) step = step.withGraph(Pipeline.checked().run(step.graph()));
        return new InterpretedTrainer(c.checker(), step, precision);
    }

    /** x = [[1], [2]], y = [3, 5]: with a = 1, b = 2 the residuals are [0, -1], loss 0.5, grad (-2, -1). */
    private static List<Tensor> lineBatch() {
        return List.of(Tensor.of(DType.F32, new int[] {2, 1}, 1, 2), Tensor.of(DType.F32, new int[] {2}, 3, 5));
    }

    private static double scalar(InterpretedTrainer t, String path) { return t.value(path).at(0); }

    @ParameterizedTest(name = "optimized: {0}") @ValueSource(booleans = {false, true})
    void oneSgdStepMatchesTheHandComputedUpdate(boolean optimized) {
        var t = trainer("tests/train/two_params.dl", "sgd_step", 2, Interpreter.Precision.F64, optimized);
        var r = t.step(lineBatch());
        assertEquals(0.5, r.loss(), 1e-12);
        // a - lr * dL/da = 1 - 0.1 * (-2), b - lr * dL/db = 2 - 0.1 * (-1)
        assertEquals(1.2, scalar(t, "a"), 1e-6);
        assertEquals(2.1, scalar(t, "b"), 1e-6);
    }

    @ParameterizedTest(name = "optimized: {0}") @ValueSource(booleans = {false, true})
    void momentumKeepsItsBufferBetweenSteps(boolean optimized) {
        var t = trainer("tests/train/two_params.dl", "momentum_step", 2, Interpreter.Precision.F64, optimized);
        t.step(lineBatch());
        t.step(lineBatch());
        // step 1: buf = g = (-2, -1) -> (1.2, 2.1); step 2: residuals (0.3, -0.5)... buf = 0.9 * buf + g'
        assertEquals(1.45, scalar(t, "a"), 1e-6);
        assertEquals(2.21, scalar(t, "b"), 1e-6);
        assertEquals(-2.5, scalar(t, "optimizer.a.buf"), 1e-6);
    }

    @ParameterizedTest(name = "optimized: {0}") @ValueSource(booleans = {false, true})
    void twoAdamStepsMatchTheHandComputedUpdates(boolean optimized) {
        var t = trainer("tests/train/two_params.dl", "adam_step", 2, Interpreter.Precision.F64, optimized);
        t.step(lineBatch());
        // step 1: m-hat = g, v-hat = g^2, so each parameter moves by lr * sign(g) = 0.1
        assertEquals(1.1, scalar(t, "a"), 1e-6);
        assertEquals(2.1, scalar(t, "b"), 1e-6);
        t.step(lineBatch());
        // step 2: g = (-1.2, -0.5); m = 0.9 * 0.1 * g1 + 0.1 * g2; v = 0.999 * 0.001 * g1^2 + 0.001 * g2^2;
        // bias-corrected by 1 - 0.9^2 and 1 - 0.999^2 (worked out in the commit's notes)
        assertEquals(1.1957490166, scalar(t, "a"), 1e-6);
        assertEquals(2.1932179618, scalar(t, "b"), 1e-6);
        assertEquals(-0.30, scalar(t, "optimizer.a.m"), 1e-9);
        assertEquals(0.005436, scalar(t, "optimizer.a.v"), 1e-9);
    }

    @ParameterizedTest(name = "optimized: {0}") @ValueSource(booleans = {false, true})
    void aScheduledLearningRateAndClippingFollowTheStep(boolean optimized) {
        var t = trainer("tests/train/two_params.dl", "scheduled_step", 2, Interpreter.Precision.F64, optimized);
        assertEquals(1, t.program().scheduled().size());
        t.step(lineBatch());
        // lr(1) = 0.1 * 0.5; the gradient (-2, -1) has norm sqrt(5) and is clipped to norm 1
        assertEquals(1 + 0.05 * 2 / Math.sqrt(5), scalar(t, "a"), 1e-6);
        t.step(lineBatch());
        assertEquals(1.067256084593, scalar(t, "a"), 1e-6);
        assertEquals(2.033185853684, scalar(t, "b"), 1e-6);
    }

    @Test void logisticRegressionSeparatesSeparableData() {
        // Points in [-1, 1]^2 labelled by the side of the line x0 + 2 x1 = 0.1, none within 0.2 of it (in units of x0 + 2 x1).
        int n = 992, batch = 32;
        var rng = new Random(7);
        double[] xs = new double[2 * n], ys = new double[n];
        for (int i = 0; i < n; i++) {
            double x0, x1, s;
            do { x0 = rng.nextDouble(-1, 1); x1 = rng.nextDouble(-1, 1); s = x0 + 2 * x1 - 0.1; } while (Math.abs(s) < 0.2);
            xs[2 * i] = x0;
            xs[2 * i + 1] = x1;
            ys[i] = s > 0 ? 1 : 0;
        }
        var t = trainer("examples/logistic.dl", "logistic", batch);
        assertEquals(List.of("binary_accuracy"), t.program().metrics().stream().map(TrainStep.Metric::name).toList());
        double firstLoss = Double.NaN, lastLoss = 0;
        for (int epoch = 0; epoch < 20; epoch++) {
            for (int b = 0; b < n / batch; b++) {
                int from = b * batch;
                var x = Tensor.build(DType.F32, new int[] {batch, 2}, j -> xs[2 * from + j]);
                var y = Tensor.build(DType.F32, new int[] {batch}, j -> ys[from + j]);
                var r = t.step(List.of(x, y));
                if (Double.isNaN(firstLoss)) firstLoss = r.loss();
                lastLoss = r.loss();
            }
        }
        assertTrue(lastLoss < firstLoss / 2, "loss " + firstLoss + " -> " + lastLoss);
        // Accuracy of the trained weights on every point.
        var w = t.value("w");
        double b0 = t.value("b").at(0);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            double z = xs[2 * i] * w.at(0) + xs[2 * i + 1] * w.at(1) + b0;
            if ((z > 0) == (ys[i] == 1)) correct++;
        }
        double accuracy = (double) correct / n;
        assertTrue(accuracy >= 0.99, "accuracy " + accuracy);
    }

    @Test void anMlpLearnsXor() {
        var x = Tensor.of(DType.F32, new int[] {4, 2}, 0, 0, 0, 1, 1, 0, 1, 1);
        var y = Tensor.of(DType.F32, new int[] {4}, 0, 1, 1, 0);
        var t = trainer("tests/train/xor.dl", "xor", 4, Interpreter.Precision.F32, true);
        dev.dlc.train.Trainer.StepResult r = null;
        for (int i = 0; i < 300; i++) r = t.step(List.of(x, y));
        assertEquals(1.0, r.metrics().getFirst(), "binary accuracy on the four points after 300 steps, loss " + r.loss());
        assertTrue(r.loss() < 0.1, "loss " + r.loss());
    }
}
