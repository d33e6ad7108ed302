package dev.dlc.cli;

import dev.dlc.ir.Graph;
import dev.dlc.ir.Printer;
import dev.dlc.pass.Pipeline;
import java.io.PrintWriter;
import java.util.List;

/** `dlc ir --stage opt [--print-after PASS]...`: the optimization pipeline, verified after every pass, with its dumps. */
final class Passes {
    private final List<String> printAfter;
    private final PrintWriter out;

    Passes(List<String> printAfter, PrintWriter out) {
        this.printAfter = printAfter == null ? List.of() : printAfter;
        this.out = out;
    }

    /** Whether the --print-after names are known passes (or 'all') and come with --stage opt; else says why on one line. */
    static boolean valid(boolean opt, List<String> printAfter, PrintWriter err) {
        if (printAfter == null) return true;
        for (String name : printAfter) {
            if (!name.equals("all") && Pipeline.named(name).isEmpty()) {
                err.println("dlc: --print-after: unknown pass '" + name + "'; known: " + String.join(", ", Pipeline.names()) + ", all");
                return false;
            }
        }
        if (!opt) { err.println("dlc: --print-after needs --stage opt"); return false; }
        return true;
    }

    /** The optimized graph; the IR after each run of an asked-for pass is printed first. */
    Graph run(Graph g) {
        var optimized = new Pipeline(Pipeline.DEFAULT, true, (pass, round, after) -> {
            if (printAfter.contains("all") || printAfter.contains(pass)) {
                out.println("# after " + pass + " (round " + round + ")");
                out.print(Printer.print(after));
            }
        }).run(g);
        out.println("optimized: " + String.join(", ", Pipeline.names()));
        return optimized;
    }
}
