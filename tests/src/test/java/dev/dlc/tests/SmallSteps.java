package dev.dlc.tests;

import dev.dlc.Compiler;
import dev.dlc.check.Checker;
import dev.dlc.check.TrainStep;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import java.nio.file.Path;
import java.util.stream.IntStream;

/** A train job's step lowered small enough for the tests to run: batch 2, images shrunk as far as the model allows. */
final class SmallSteps {
    private SmallSteps() {}

    /** The step and the checker that lowered it (whose initializers and schedules go with it). */
    record Lowered(Checker checker, TrainStep step) {}

    /** The step of a job at batch 2, images tried at sides 8, 16, 32 and 96 before their own size; null when none lowers. */
    static Lowered of(Path f, String job) {
        for (long side : new long[] {8, 16, 32, 96}) {
            var c = Compiler.checkFile(f);
            var types = c.checker().jobs().get(job).data().stream().map(t -> t.withShape(Shape.of(IntStream.range(0, t.rank())
                    .mapToObj(i -> i == 0 ? Dim.of(2) : t.rank() == 4 && i >= 2 && t.dim(i).value() > side ? Dim.of(side) : t.dim(i))
                    .toList()))).toList();
            var step = c.checker().lowerStep(job, 2, types);
            if (step != null && !c.diags().hasErrors()) return new Lowered(c.checker(), step);
        }
        var c = Compiler.checkFile(f);
        var step = c.checker().lowerStep(job, 2);
        return step == null ? null : new Lowered(c.checker(), step);
    }

    /** The step alone. */
    static TrainStep step(Path f, String job) {
        var lowered = of(f, job);
        return lowered == null ? null : lowered.step();
    }
}
