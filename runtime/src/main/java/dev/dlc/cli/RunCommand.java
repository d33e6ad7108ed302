package dev.dlc.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dlc run FILE}: trains every `train` job of the file in order (or the one named), on
 * the reference interpreter until the compiled backend exists, then runs its `main` block on
 * the Truffle runtime.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the train jobs of a file, in order.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") Path file;

    @Option(names = "--train", paramLabel = "NAME", description = "Run this train job only.")
    String train;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a train key: epochs, seed, clip, batch, checkpoint, optimizer.NAME, data.NAME (repeatable), e.g. --set epochs=2 --set optimizer.lr=0.05.")
    List<String> settings = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", description = "The seed of every job (initial weights, shuffles, dropout).")
    Long seed;

    @Option(names = "--metrics-out", paramLabel = "FILE.jsonl", description = "Append one JSON object per epoch to this file.")
    Path metricsOut;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Write the learning curves (loss, train and test metrics per epoch) to this PNG.")
    Path plot;

    @Option(names = "--backend", paramLabel = "NAME", description = "Where the tensor programs run: ${COMPLETION-CANDIDATES} (default: the first).",
            completionCandidates = Backends.class)
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "Threads of the compiled CPU backend (default: one per core).")
    Integer threads;

    @Option(names = "--limit-batches", paramLabel = "N", defaultValue = "0",
            description = "At most N batches per epoch and per evaluation (smoke runs); 0: all.")
    long limitBatches;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var c = IrCommand.compileClean(file, err);
        if (c == null) return 1;
        var jobs = new ArrayList<>(c.checker().jobs().keySet());
        if (train != null) {
            if (!jobs.contains(train)) {
                err.println("dlc: --train: no train job named '" + train + "'" + (jobs.isEmpty() ? "" : "; the file has " + String.join(", ", jobs)));
                return 1;
            }
            jobs = new ArrayList<>(List.of(train));
        }
        boolean hasMain = c.program().root().decls().stream().anyMatch(d -> d instanceof dev.dlc.ast.Decl.MainDecl);
        if (jobs.isEmpty() && !hasMain) { err.println("dlc: " + file + " has no train job or main block to run"); return 1; }
        if (seed != null) settings.add("seed=" + seed);
        String unusable = backend == null ? null : dev.dlc.exec.Backend.problem(backend);
        if (unusable != null) {
            err.println("dlc: --backend " + backend + ": " + unusable);
            return 1;
        }
        for (String job : jobs) {
            for (String s : settings) {
                int eq = s.indexOf('=');
                if (eq <= 0) { err.println("dlc: --set " + s + ": expected KEY=VALUE, e.g. --set epochs=2"); return 1; }
                String problem = c.checker().override(job, s.substring(0, eq).strip(), s.substring(eq + 1));
                if (problem != null) { err.println("dlc: --set " + s + ": " + problem); return 1; }
            }
        }
        boolean terminal = System.console() != null && System.console().isTerminal();
        // The train blocks and then main run as host code, on the Truffle runtime (main is left
        // out when one job was asked for); the flags travel as the language's options.
        var options = new java.util.LinkedHashMap<String, String>();
        options.put("dl.Train", train == null ? "all" : train);
        options.put("dl.Main", String.valueOf(train == null));
        options.put("dl.Set", String.join("\n", settings));
        options.put("dl.LimitBatches", String.valueOf(limitBatches));
        if (metricsOut != null) options.put("dl.MetricsOut", metricsOut.toString());
        if (plot != null) options.put("dl.Plot", plot.toString());
        options.put("dl.Progress", String.valueOf(terminal));
        if (backend != null) options.put("dl.Backend", backend);
        if (threads != null && threads < 1) {
            err.println("dlc: --threads " + threads + ": expected a positive number of threads");
            return 1;
        }
        try {
            if (threads == null) return HostCommand.run(file, options, out, err);
            configureThreads(threads);
            int[] status = {0};
            java.io.IOException[] failed = {null};
            // Every parallel kernel called from this thread (the host program runs on it) uses at most N threads.
            dev.dlc.exec.cpu.Parallel.limited(threads, () -> {
                try {
                    status[0] = HostCommand.run(file, options, out, err);
                } catch (java.io.IOException e) {
                    failed[0] = e;
                }
            });
            if (failed[0] != null) throw failed[0];
            return status[0];
        } catch (java.io.IOException e) {
            err.println("dlc: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * Sizes the CPU thread pool before its first use; a pool already running (an earlier run
     * in this JVM) keeps its size, and {@link dev.dlc.exec.cpu.Parallel#limited} caps what a run uses.
     */
    private static void configureThreads(int n) {
        try {
            dev.dlc.exec.cpu.Parallel.configure(n);
        } catch (IllegalStateException alreadyRunning) {
            // the cap below still holds
        }
    }

    /** The backends, for --backend's help. */
    static final class Backends implements Iterable<String> {
        @Override public java.util.Iterator<String> iterator() { return dev.dlc.exec.Backend.NAMES.iterator(); }
    }
}
