package dev.dlc.tests;

import dev.dlc.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The repository the tests run in, and running `dlc` in-process with its paths shown relative to it. */
final class Repo {
    private Repo() {}

    static final Path ROOT = Path.of(System.getProperty("dlc.root", "..")).toAbsolutePath().normalize();
    static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static Path path(String relative) { return ROOT.resolve(relative); }

    /** The .dl files under a folder of the repository, sorted. */
    static List<Path> dlFiles(String folder) {
        try (Stream<Path> s = Files.walk(path(folder))) {
            return s.filter(p -> p.toString().endsWith(".dl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String relative(Path p) { return ROOT.relativize(p.toAbsolutePath().normalize()).toString(); }

    /** The result of one `dlc` run. */
    record Run(int status, String out, String err) {}

    /** Runs `dlc ARGS` in this JVM; absolute repository paths in its output are shown relative to the repository. */
    static Run dlc(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        String prefix = ROOT + "/";
        return new Run(status, out.toString().replace(prefix, ""), err.toString().replace(prefix, ""));
    }

    /** Extra `dlc` arguments from a `# dlc: ...` first line of a test file. */
    static List<String> argsOf(Path file) {
        String first = read(file).lines().findFirst().orElse("");
        if (!first.startsWith("# dlc:")) return List.of();
        return List.of(first.substring("# dlc:".length()).trim().split("\\s+"));
    }
}
