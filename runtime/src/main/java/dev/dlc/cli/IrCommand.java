package dev.dlc.cli;

import dev.dlc.Compiler;
import dev.dlc.ast.Decl;
import dev.dlc.check.Checker;
import dev.dlc.check.TrainStep;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Printer;
import dev.dlc.pass.FusedPrinter;
import dev.dlc.pass.FusionPass;
import dev.dlc.types.Type;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dlc ir FILE --layer NAME --input TYPE}: the typed IR of a forward, with the type of every binder. */
@Command(name = "ir", mixinStandardHelpOptions = true, description = "Print the typed IR of a layer's forward for concrete input types.")
final class IrCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") Path file;

    @Option(names = "--layer", paramLabel = "NAME", description = "The layer (default: the last layer of the file).")
    String layer;

    @Option(names = "--input", paramLabel = "TYPE", description = "Input type, e.g. 'f32[2,1,28,28]'; repeat for several inputs. Default: the train job's data.")
    List<String> inputs;

    @Option(names = "--stage", paramLabel = "STAGE", defaultValue = "typed",
            description = "IR stage to print: ${COMPLETION-CANDIDATES} (default: typed). grad: the forward, then the gradient of the sum of its result with respect to every parameter. opt: the grad stage after the optimization passes. fused: the opt stage, then its kernels and their memory plan.")
    Stage stage;

    enum Stage { typed, grad, opt, fused }

    @Option(names = "--explain-fusion", description = "With --stage fused: say, for every producer and consumer in different kernels, why they were not fused.")
    boolean explain;

    @Option(names = "--print-after", paramLabel = "PASS",
            description = "With --stage opt: also print the IR after each run of PASS (repeatable; 'all' for every pass).")
    List<String> printAfter;

    @Option(names = "--job", paramLabel = "NAME",
            description = "With --stage grad or opt: print the whole training step of this train job (default: the file's first job, when no --layer or --input is given).")
    String jobName;

    @Option(names = "--batch", paramLabel = "N", description = "The batch size of a training step (default: the job's data set's batch).")
    Long batch;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        boolean optimized = stage == Stage.opt || stage == Stage.fused;
        if (!Passes.valid(optimized, printAfter, err)) return 1;
        if (explain && stage != Stage.fused) { err.println("dlc: --explain-fusion needs --stage fused"); return 1; }
        var c = compileClean(file, err);
        if (c == null) return 1;
        boolean step = jobName != null || (layer == null && inputs == null && !c.checker().jobs().isEmpty());
        if (stage == Stage.fused && step) return printFusedStep(c, out, err);
        if (stage != Stage.typed && step)
            return TrainSteps.print(c, jobName, batch, stage == Stage.opt ? new Passes(printAfter, out) : null, out, err);
        var job = instantiate(c, layer, inputs, err);
        err.print(c.diags().render());
        if (job == null || c.diags().hasErrors()) return 1;
        out.println((job.model() == null ? "fn " : "forward ") + job.name() + "(" + job.data().stream().map(Type::toString).reduce((a, b) -> a + ", " + b).orElse("") + ") -> " + job.output());
        if (stage == Stage.typed) {
            out.print(Printer.print(c.checker().graph()));
            return 0;
        }
        var g = gradient(c.checker().graph(), out, err);
        if (g == null) return 1;
        if (optimized) g = new Passes(printAfter, out).run(g);
        out.print(Printer.print(g));
        if (stage == Stage.fused) out.print(FusedPrinter.print(FusionPass.run(g), explain));
        return 0;
    }

    /** The fused stage of a train job's step: the step as --stage opt prints it, then its kernels and memory plan. */
    private int printFusedStep(Compiler.Compilation c, PrintWriter out, PrintWriter err) {
        var jobs = c.checker().jobs().keySet();
        String name = jobName != null ? jobName : jobs.iterator().next();
        if (!jobs.contains(name)) {
            err.println("dlc: --job: no train job named '" + name + "'; the file has " + String.join(", ", jobs));
            return 1;
        }
        if (batch != null && batch <= 0) { err.println("dlc: --batch must be positive, found " + batch); return 1; }
        TrainStep step = c.checker().lowerStep(name, batch == null ? 0 : batch);
        err.print(c.diags().render());
        if (step == null || c.diags().hasErrors()) return 1;
        out.println(TrainSteps.describe(step));
        var g = new Passes(printAfter, out).run(step.graph());
        out.print(Printer.print(g));
        out.print(FusedPrinter.print(FusionPass.run(g), explain));
        return 0;
    }

    /** A file compiled without errors, or null after reporting why not (commands that run code need a clean program). */
    static Compiler.Compilation compileClean(Path file, PrintWriter err) {
        if (!Files.isRegularFile(file)) { err.println(file + ": error: no such file"); return null; }
        var c = Compiler.checkFile(file);
        if (c.ok()) return c;
        err.print(c.diags().render());
        return null;
    }

    /**
     * The gradient of sum(forward result) with respect to every trainable parameter: the
     * backward program autodiff builds for a train step, without its loss (null after saying why not).
     */
    private static Graph gradient(Graph g, PrintWriter out, PrintWriter err) {
        if (g.outputs().size() != 1 || !(g.outputs().getFirst().type() instanceof Type.Tensor)) {
            err.println("dlc: --stage grad needs a forward with one tensor result");
            return null;
        }
        var loss = new dev.dlc.ir.Builder(g).apply("sum", g.outputs().getFirst());
        var params = g.nodes().stream().filter(n -> n instanceof dev.dlc.ir.Node.Param p && p.trainable())
                .map(n -> (dev.dlc.ir.Node.Param) n).toList();
        try {
            var r = dev.dlc.pass.AutodiffPass.run(g, loss, params);
            out.println("gradient of the sum of the result, then d/d" + String.join(", d/d", params.stream().map(dev.dlc.ir.Node.Param::path).toList()));
            return r.graph();
        } catch (dev.dlc.pass.AutodiffPass.NotDifferentiable e) {
            if (e.span == null) err.println("dlc: " + e.getMessage());
            else err.print(new dev.dlc.diag.Diagnostic(e.span, dev.dlc.diag.Diagnostic.Severity.ERROR, e.getMessage(), List.of()).render());
            return null;
        }
    }

    private static String lastNamed(dev.dlc.ast.Module m, Class<? extends Decl.Named> kind) {
        return m.decls().stream().filter(kind::isInstance).map(d -> ((Decl.Named) d).name().name()).reduce((a, b) -> b).orElse(null);
    }

    /** Applies a layer of the root file to the given input types (or the first train job's data). */
    static Checker.Job instantiate(Compiler.Compilation c, String layer, List<String> inputs, PrintWriter err) {
        List<Type.Tensor> types;
        try {
            types = inputs == null ? null : CheckCommand.Summaries.parse(inputs);
        } catch (IllegalArgumentException e) {
            err.println("dlc: --input: " + e.getMessage());
            return null;
        }
        var root = c.program().root();
        if (types == null) {
            var job = c.checker().jobs().values().stream().findFirst();
            if (job.isEmpty()) { err.println("dlc: give --input TYPE (the file has no train job to take the input type from)"); return null; }
            // The train job's model, built as the job builds it (config included), on the job's data.
            if (layer == null) return c.checker().instantiateJob(job.get().name());
            types = job.get().data();
        }
        if (layer == null) {
            // The last layer of the file, or its last fn when it declares no layer.
            layer = lastNamed(root, Decl.LayerDecl.class);
            if (layer == null) layer = lastNamed(root, Decl.FnDecl.class);
            if (layer == null) { err.println("dlc: " + root.source().path() + " declares no layer or fn; give --layer NAME"); return null; }
        }
        // Errors about what the command line asked for point at the command line, not into the file.
        var where = new dev.dlc.diag.Source("--layer", layer).span(0, layer.length());
        return c.checker().instantiate(layer, types, where);
    }
}
