package dev.dlc.pass;

import dev.dlc.ir.Graph;
import dev.dlc.ir.Printer;
import dev.dlc.ir.Verifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The optimization pipeline: a list of named passes run in order, read top to bottom. Each
 * rewrite can expose work for another (folding makes {@code x * 1} visible to the
 * simplifier, simplifying leaves dead nodes), so the list repeats until a round changes
 * nothing, at most {@link #MAX_ROUNDS} times.
 *
 * <p>In check mode the IR verifier runs after every pass, and a broken graph is reported
 * with the name of the pass that broke it.
 */
public final class Pipeline {

    /** A pass: its kebab-case name and the pure graph-to-graph function. */
    public record Pass(String name, UnaryOperator<Graph> run) {}

    /** A graph a pass made ill-formed: names the pass and the verifier's findings. */
    public static final class Broken extends RuntimeException {
        public final String pass;

        Broken(String pass, List<String> problems) {
            super((pass == null ? "the graph given to the pipeline" : "pass '" + pass + "'") + " broke the IR:\n" + String.join("\n", problems));
            this.pass = pass;
        }
    }

    /** Called after each pass with its name, the round (from 1) and the graph it returned. */
    @FunctionalInterface
    public interface Listener {
        void after(String pass, int round, Graph g);
    }

    public static final int MAX_ROUNDS = 4;

    /**
     * The default order: simplify first (it removes nodes and exposes constants), then fold
     * what became constant, then merge what became equal (cse), then scans that became twins
     * (their arguments one node), then drop what nothing reads.
     */
    public static final List<Pass> DEFAULT = List.of(
            new Pass(SimplifyPass.NAME, SimplifyPass::run),
            new Pass(ConstantFoldPass.NAME, ConstantFoldPass::run),
            new Pass(CsePass.NAME, CsePass::run),
            new Pass(ScanMergePass.NAME, ScanMergePass::run),
            new Pass(DeadCodePass.NAME, DeadCodePass::run));

    private static final Map<String, Pass> BY_NAME = new LinkedHashMap<>();
    static { for (Pass p : DEFAULT) BY_NAME.put(p.name(), p); }

    /** The pass of a name. */
    public static Optional<Pass> named(String name) { return Optional.ofNullable(BY_NAME.get(name)); }

    /** The names of the known passes, in the default order. */
    public static List<String> names() { return List.copyOf(BY_NAME.keySet()); }

    private final List<Pass> passes;
    private final boolean check;
    private final Listener listener;

    public Pipeline(List<Pass> passes, boolean check, Listener listener) {
        this.passes = List.copyOf(passes);
        this.check = check;
        this.listener = listener;
    }

    /** The default passes, verified after each. */
    public static Pipeline checked() { return new Pipeline(DEFAULT, true, (_, _, _) -> {}); }

    /** Runs the passes in rounds until a round leaves the printed graph as it was (at most {@link #MAX_ROUNDS}). */
    public Graph run(Graph g) {
        verify(null, g);
        String before = Printer.print(g);
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            g = round(g, round);
            String after = Printer.print(g);
            if (after.equals(before)) break;
            before = after;
        }
        return g;
    }

    /** Runs each pass once, in order. */
    public Graph round(Graph g, int round) {
        for (Pass p : passes) {
            g = p.run().apply(g);
            verify(p.name(), g);
            listener.after(p.name(), round, g);
        }
        return g;
    }

    private void verify(String pass, Graph g) {
        if (!check) return;
        var problems = Verifier.verify(g);
        if (!problems.isEmpty()) throw new Broken(pass, new ArrayList<>(problems));
    }
}
