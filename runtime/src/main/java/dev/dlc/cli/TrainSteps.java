package dev.dlc.cli;

import dev.dlc.Compiler;
import dev.dlc.check.TrainStep;
import dev.dlc.ir.Printer;
import java.io.PrintWriter;
import java.util.stream.Collectors;

/** `dlc ir --stage grad` of a train job: the whole step program, with what its inputs and outputs are. */
final class TrainSteps {
    private TrainSteps() {}

    /**
     * Lowers job {@code name} (null: the first) for {@code batch} (null: the data set's) and
     * prints it, after the optimization pipeline when {@code passes} is given.
     */
    static int print(Compiler.Compilation c, String name, Long batch, Passes passes, PrintWriter out, PrintWriter err) {
        var jobs = c.checker().jobs().keySet();
        if (name == null) name = jobs.stream().findFirst().orElse(null);
        if (name == null || !jobs.contains(name)) {
            err.println("dlc: --job: no train job named '" + name + "'" + (jobs.isEmpty() ? "" : "; the file has " + String.join(", ", jobs)));
            return 1;
        }
        if (batch != null && batch <= 0) { err.println("dlc: --batch must be positive, found " + batch); return 1; }
        TrainStep step = c.checker().lowerStep(name, batch == null ? 0 : batch);
        err.print(c.diags().render());
        if (step == null || c.diags().hasErrors()) return 1;
        out.println(describe(step));
        out.print(Printer.print(passes == null ? step.graph() : passes.run(step.graph())));
        return 0;
    }

    /** A header: the step's inputs, and what each output is. */
    static String describe(TrainStep s) {
        var b = new StringBuilder("train step " + s.job() + "(");
        b.append(s.data().stream().map(i -> i.name() + ": " + i.type()).collect(Collectors.joining(", ")));
        b.append(", ").append(s.step().name()).append(": ").append(s.step().type());
        for (var h : s.scheduled()) b.append(", ").append(h.input().name()).append(": ").append(h.input().type());
        b.append(")\n  returns the loss");
        for (var m : s.metrics()) b.append(", ").append(m.name());
        b.append(", then the next value of:");
        for (var slot : s.slots()) {
            b.append("\n    ").append(slot.path()).append(" (").append(slot.kind().name().toLowerCase().replace('_', ' '));
            b.append(", starts as ").append(slot.init().kind());
            if (!slot.init().args().isEmpty())
                b.append(slot.init().args().stream().map(Printer::number).collect(Collectors.joining(", ", "(", ")")));
            b.append(slot.next() == slot.node() ? ", unchanged by the step" : "").append(')');
        }
        return b.toString();
    }
}
