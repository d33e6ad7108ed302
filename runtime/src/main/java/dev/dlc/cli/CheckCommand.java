package dev.dlc.cli;

import dev.dlc.Compiler;
import dev.dlc.check.Checker;
import dev.dlc.types.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dlc check FILE...}: parse, resolve and type-check; report every error. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check .dl files for syntax, name, type and shape errors. Exit status 0 when clean, 1 on errors.")
final class CheckCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = ".dl files to check") List<Path> files;

    @Option(names = "--summary", description = "Print each layer's output type, parameter count and FLOPs for each train job (or for --layer with --input), and each job's fused memory arena (training step and inference forward).")
    boolean summary;

    @Option(names = "--layer", paramLabel = "NAME", description = "The layer to summarize (default: the last layer of the file).")
    String layer;

    @Option(names = "--input", paramLabel = "TYPE", description = "Input type for --layer, e.g. 'f32[B,1,28,28]'; repeat for several inputs.")
    List<String> inputs;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        int status = 0;
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                err.println(file + ": error: no such file");
                status = 1;
                continue;
            }
            var c = Compiler.checkFile(file);
            if (summary && c.ok()) {
                var text = Summaries.render(c, file, layer, inputs, err);
                if (text == null) status = 1;
                else out.print(text);
            }
            err.print(c.diags().render());
            if (c.diags().hasErrors()) {
                int n = c.diags().errorCount();
                err.println(n + " error" + (n == 1 ? "" : "s") + " in " + file);
                status = 1;
            }
        }
        err.flush();
        out.flush();
        return status;
    }

    /** The summaries of a compilation: every train job, or one layer on given inputs. */
    static final class Summaries {
        static String render(Compiler.Compilation c, Path file, String layer, List<String> inputs, java.io.PrintWriter err) {
            var text = new StringBuilder();
            if (layer != null || inputs != null) {
                var job = IrCommand.instantiate(c, layer, inputs, err);
                if (job == null) return null;
                text.append(job.name()).append(" on ").append(inputs(job.data())).append('\n').append(Summary.of(job));
                return text.toString();
            }
            var jobs = c.checker().jobs();
            if (jobs.isEmpty()) {
                err.println("dlc: --summary needs a train job in the file, or --layer NAME --input TYPE");
                return null;
            }
            for (Checker.Job job : jobs.values()) {
                if (job.call() == null) continue;
                text.append("train ").append(job.name()).append(": ").append(job.model().typeName()).append(" on ")
                        .append(inputs(job.data())).append('\n').append(Summary.of(job)).append(Summary.memory(file, job.name())).append('\n');
            }
            return text.toString();
        }

        private static String inputs(List<Type.Tensor> types) {
            return String.join(", ", types.stream().map(Type.Tensor::toString).toList());
        }

        static List<Type.Tensor> parse(List<String> inputs) { return inputs.stream().map(InputTypes::parse).toList(); }
    }
}
