package dev.dlc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dlc} command line. */
@Command(name = "dlc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Compiler and runtime for DL, a declarative language for deep-learning models.",
        subcommands = {CheckCommand.class, RunCommand.class, HostCommand.class, IrCommand.class, GradcheckCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit status. Never throws. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        var cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // A bug in dlc, not a user error: say so briefly instead of printing a stack trace.
            err.println("dlc: internal error: " + e + " (please report this together with the input file)");
            return 3;
        });
        // Deeply nested programs recurse deeply in the checker and the passes: every command runs
        // on a thread with a large stack, as the compiler's own checking does.
        int[] status = {3};
        var worker = new Thread(null, () -> {
            try {
                status[0] = cl.execute(args);
            } catch (StackOverflowError e) {
                err.println("dlc: the program nests too deeply to process (stack exhausted)");
                status[0] = 1;
            }
        }, "dlc", 1L << 29);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
        err.flush();
        return status[0];
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() throws IOException {
            var p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[] {"dlc " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ")"};
        }
    }
}
