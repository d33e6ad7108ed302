package dev.dlc.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code dlc host FILE}: compiles FILE and runs its {@code main} block on Truffle, through the
 * polyglot API as any embedder would. Errors print as diagnostics; exit status 1.
 */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = "Run the main block of a .dl file (host code, on the Truffle runtime). Exit status 0 when it ran, 1 on errors.")
public final class HostCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .dl file whose main block to run") Path file;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws IOException {
        return run(file, java.util.Map.of("dl.Train", "none"), spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * Runs {@code file} in a polyglot context of DL with these options (dl.Train, dl.Main, ...):
     * its train blocks, then its main block; 0, or 1 after printing the error.
     */
    static int run(Path file, java.util.Map<String, String> options, PrintWriter out, PrintWriter err) throws IOException {
        if (!Files.isRegularFile(file)) {
            err.println(file + ": error: no such file");
            err.flush();
            return 1;
        }
        // Named by the path as given, so diagnostics read like `dlc check`'s.
        var source = Source.newBuilder("dl", file.toFile()).name(file.toString()).build();
        try (var context = Context.newBuilder("dl").options(options).out(new WriterStream(out)).err(new WriterStream(err)).build()) {
            context.eval(source);
            return 0;
        } catch (PolyglotException e) {
            if (e.isExit()) return e.getExitStatus();
            if (e.isResourceExhausted()) {
                long max = Runtime.getRuntime().maxMemory() >> 20;
                err.println(file + ": error: out of memory (" + e.getMessage() + "): a training step of this model does not fit in the "
                        + max + " MiB Java heap; lower the batch (--set batch=32) or the image size, or give the JVM more (DLC_JAVA_OPTS=-Xmx20g)");
                err.flush();
                return 1;
            }
            if (!e.isGuestException() || e.isInternalError()) throw e;
            err.print(e.getMessage());
            err.flush();
            return 1;
        } finally {
            out.flush();
        }
    }

    /** Bytes for the polyglot streams, written to picocli's writer (so tests capture them) at each flush. */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter writer;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        WriterStream(PrintWriter writer) { this.writer = writer; }

        @Override public void write(int b) { pending.write(b); }
        @Override public void write(byte[] b, int off, int len) { pending.write(b, off, len); }

        @Override public void flush() {
            writer.write(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
            writer.flush();
        }

        @Override public void close() { flush(); }
    }
}
