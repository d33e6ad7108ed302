package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.Compiler;
import dev.dlc.check.Checker;
import dev.dlc.check.Val;
import dev.dlc.ir.Interpreter;
import dev.dlc.ops.Tensor;
import dev.dlc.train.InterpretedTrainer;
import dev.dlc.types.DType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Composed schedules (warmup, chain, a user schedule of a schedule) of
 * tests/train/composed_schedules.dl: their values at chosen steps against values worked out
 * by hand, and the value reaching the optimizer of a training step.
 */
class ScheduleCompositionTest {
    private static Compiler.Compilation compiled;

    @BeforeAll
    static void compile() {
        compiled = Compiler.checkFile(Repo.path("tests/train/composed_schedules.dl"));
        assertTrue(compiled.ok(), compiled.diags().render());
    }

    private static Checker checker() { return compiled.checker(); }

    private static final Map<String, Val.Schedule> LR = new ConcurrentHashMap<>();

    /** The job's learning rate, read once: evaluating a train block spends the checker's budget. */
    private static Val.Schedule lr(String job) {
        return LR.computeIfAbsent(job, j -> {
            var opt = (Val.Optimizer) checker().trainValues(j).get("optimizer");
            return (Val.Schedule) opt.hyper().get("lr");
        });
    }

    private static double at(String job, long step) { return checker().scheduleAt(lr(job), step); }

    /** cosine(0.1, steps = 900) at its step 1: 0.5 · 0.1 · (1 + cos(π / 900)). */
    private static final double COSINE_FIRST = 0.05 * (1 + Math.cos(Math.PI / 900));

    @Test
    void thenIsWarmupOrChainWrittenInOrder() {
        for (long step = 1; step <= 1200; step++) {
            assertEquals(at("warm_cosine", step), at("warm_then_cosine", step), "warmup(100) then cosine(...) at step " + step);
            assertEquals(at("explicit_three", step), at("linear_then_cosine_then_constant", step), "a then b then c at step " + step);
        }
        assertEquals(0.001, at("linear_then_cosine_then_constant", 1001), 1e-15);
        assertEquals(0.05, at("linear_then_cosine_then_constant", 50), 1e-15);
    }

    @Test
    void warmupRampsToWhereItsScheduleStartsThenRunsItFromStepOne() {
        assertEquals(0.001, at("warm_cosine", 1), 1e-15);
        assertEquals(0.05, at("warm_cosine", 50), 1e-15);
        assertEquals(0.1, at("warm_cosine", 100), 1e-15);
        assertEquals(COSINE_FIRST, at("warm_cosine", 101), 1e-15);
        // cosine at its step 450 of 900 is half way: 0.5 · 0.1 · (1 + cos(π / 2))
        assertEquals(0.05, at("warm_cosine", 550), 1e-15);
        assertEquals(0.0, at("warm_cosine", 1000), 1e-15);
        assertEquals(0.0, at("warm_cosine", 5000), 1e-15);
    }

    @Test
    void warmupOfCosineIsCosineWithItsOwnWarmup() {
        for (long step = 1; step <= 1100; step++)
            assertEquals(at("builtin_warm_cosine", step), at("warm_cosine", step), 1e-15, "step " + step);
    }

    @Test
    void chainSwitchesAfterEachMilestoneAndRestartsTheNextScheduleAtStepOne() {
        assertEquals(0.001, at("linear_then_cosine", 1), 1e-15);
        assertEquals(0.05, at("linear_then_cosine", 50), 1e-15);
        assertEquals(0.1, at("linear_then_cosine", 100), 1e-15);
        assertEquals(COSINE_FIRST, at("linear_then_cosine", 101), 1e-15);
        assertEquals(0.05, at("linear_then_cosine", 550), 1e-15);
        assertEquals(0.0, at("linear_then_cosine", 1000), 1e-15);
    }

    @Test
    void chainOfThreeSchedules() {
        // constant 0.1 to step 5; then step(0.1, every 10, gamma 0.5) at steps 1..20 of its own; then 0.001
        assertEquals(0.1, at("three_pieces", 1), 1e-15);
        assertEquals(0.1, at("three_pieces", 5), 1e-15);
        assertEquals(0.1, at("three_pieces", 6), 1e-15);
        assertEquals(0.05, at("three_pieces", 15), 1e-15);
        assertEquals(0.05, at("three_pieces", 24), 1e-15);
        assertEquals(0.025, at("three_pieces", 25), 1e-15);
        assertEquals(0.001, at("three_pieces", 26), 1e-15);
        assertEquals(0.001, at("three_pieces", 1000), 1e-15);
    }

    @Test
    void aUserScheduleOfAWarmupOfAChain() {
        // halved(warmup(c, 4)) with c = 0.2 to step 3, then 0.2 · 0.5^k at its step k
        assertEquals(0.025, at("nested", 1), 1e-15);
        assertEquals(0.1, at("nested", 4), 1e-15);
        assertEquals(0.1, at("nested", 7), 1e-15);
        assertEquals(0.05, at("nested", 8), 1e-15);
        assertEquals(0.0125, at("nested", 10), 1e-15);
    }

    @Test
    void theOptimizerOfATrainingStepGetsTheComposedValue() {
        var step = checker().lowerStep("nested", 2);
        assertFalse(compiled.diags().hasErrors(), compiled.diags().render());
        var t = new InterpretedTrainer(checker(), step, Interpreter.Precision.F64);
        // x = [1, 2], y = [3, 5]: the gradient of a is negative, and Adam's first step moves a by lr(1) = 0.025
        t.step(List.of(Tensor.of(DType.F32, new int[] {2, 1}, 1, 2), Tensor.of(DType.F32, new int[] {2}, 3, 5)));
        assertEquals(1.025, t.value("a").at(0), 1e-6);
    }

    @Test
    void evaluatingSchedulesAtRunTimeDoesNotSpendTheCheckingBudget() {
        lr("nested");
        long before = checker().steps();
        // More evaluation steps than the budget that bounds checking (two million) in all.
        for (long step = 1; step <= 100_000; step++) assertTrue(Double.isFinite(at("nested", step)), "step " + step);
        assertEquals(before, checker().steps());
    }
}
