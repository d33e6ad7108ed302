package dev.dlc.truffle;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.Option;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.source.Source;
import dev.dlc.Compiler;
import dev.dlc.diag.Diagnostic;
import dev.dlc.host.HostSettings;
import dev.dlc.host.HostTraining;
import org.graalvm.options.OptionCategory;
import org.graalvm.options.OptionDescriptors;
import org.graalvm.options.OptionKey;
import org.graalvm.options.OptionStability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * DL as a Truffle language. Parsing a source runs the whole front end (parse, resolve, check);
 * compile errors become one {@link DlException} holding every diagnostic. The call target runs
 * the file's {@code train} blocks in order (those the option {@code dl.Train} selects), then
 * its {@code main} block, as {@code dlc run} does; the options below are `dlc run`'s flags.
 */
@TruffleLanguage.Registration(id = DlLanguage.ID, name = "DL", version = "0.1",
        defaultMimeType = DlLanguage.MIME_TYPE, characterMimeTypes = DlLanguage.MIME_TYPE,
        contextPolicy = TruffleLanguage.ContextPolicy.SHARED)
public final class DlLanguage extends TruffleLanguage<DlContext> {
    public static final String ID = "dl";
    public static final String MIME_TYPE = "application/x-dl";

    @Option(help = "Which train blocks run: all, none, or one job's name.", category = OptionCategory.USER, stability = OptionStability.STABLE)
    static final OptionKey<String> Train = new OptionKey<>("all");

    @Option(help = "Whether the main block runs (after the train blocks).", category = OptionCategory.USER, stability = OptionStability.STABLE)
    static final OptionKey<Boolean> Main = new OptionKey<>(true);

    @Option(help = "Train-key overrides, one KEY=VALUE per line (as dlc run --set).", category = OptionCategory.USER, stability = OptionStability.STABLE)
    static final OptionKey<String> Set = new OptionKey<>("");

    @Option(help = "At most this many batches per epoch and per evaluation (smoke runs); 0: all.", category = OptionCategory.USER, stability = OptionStability.STABLE)
    static final OptionKey<Long> LimitBatches = new OptionKey<>(0L);

    @Option(help = "Append one JSON object per epoch to this file.", category = OptionCategory.USER, stability = OptionStability.STABLE)
    static final OptionKey<String> MetricsOut = new OptionKey<>("");

    @Option(help = "Write the learning curves to this PNG file.", category = OptionCategory.USER, stability = OptionStability.STABLE)
    static final OptionKey<String> Plot = new OptionKey<>("");

    @Option(help = "Show a live progress bar (the output is a terminal).", category = OptionCategory.USER, stability = OptionStability.STABLE)
    static final OptionKey<Boolean> Progress = new OptionKey<>(false);

    @Option(help = "Where the tensor programs run: cpu (compiled; the default where the Vector API is there) or interp (the reference interpreter).",
            category = OptionCategory.USER, stability = OptionStability.STABLE)
    static final OptionKey<String> Backend = new OptionKey<>("");

    private static dev.dlc.exec.Backend backend(String name) {
        if (name.isEmpty()) return dev.dlc.exec.Backend.standard();
        String problem = dev.dlc.exec.Backend.problem(name);
        if (problem != null) throw new IllegalArgumentException("dl.Backend=" + name + ": " + problem);
        return dev.dlc.exec.Backend.named(name);
    }

    @Override protected OptionDescriptors getOptionDescriptors() { return new DlLanguageOptionDescriptors(); }

    @Override protected DlContext createContext(Env env) {
        var o = env.getOptions();
        var settings = new HostSettings(o.get(Set).lines().filter(l -> !l.isBlank()).toList(), o.get(LimitBatches),
                o.get(MetricsOut).isEmpty() ? null : java.nio.file.Path.of(o.get(MetricsOut)),
                o.get(Plot).isEmpty() ? null : java.nio.file.Path.of(o.get(Plot)), o.get(Progress), backend(o.get(Backend)));
        // The one place the builtins are chosen: training on top of print, range and len.
        return new DlContext(env, new HostTraining(new DefaultHostBuiltins(env.out()), env.out(), settings), o.get(Train), o.get(Main));
    }

    @Override protected boolean areOptionsCompatible(org.graalvm.options.OptionValues first, org.graalvm.options.OptionValues newOptions) {
        return true;     // the options steer the builtins at run time, not what parsing produces
    }

    @Override protected CallTarget parse(ParsingRequest request) {
        Source source = request.getSource();
        String path = displayPath(source);
        var c = Compiler.checkString(path, source.getCharacters().toString());
        if (!c.ok()) {
            var first = c.diags().sorted().stream().filter(Diagnostic::isError).findFirst().orElseThrow().span();
            var section = first.source().path().equals(path) ? source.createSection(first.start(), first.end() - first.start()) : null;
            throw DlException.compileErrors(c.diags(), section, path);
        }
        warn(c.diags().render());
        return new HostTranslator(this, source).program(c).getCallTarget();
    }

    /** Warnings of a program that compiled go to the context's error stream, as `dlc check` prints them. */
    private static void warn(String text) {
        if (text.isEmpty()) return;
        try {
            var err = DlContext.get(null).env().err();
            err.write(text.getBytes(StandardCharsets.UTF_8));
            err.flush();
        } catch (IOException | IllegalStateException e) {
            // no context entered or the stream is closed: the warnings are not essential
        }
    }

    /**
     * The path diagnostics show for a source: its name, or for a file source named by its file
     * name alone, the file's path (file-relative {@code use "x.dl"} resolves against it).
     */
    public static String displayPath(Source source) {
        String name = source.getName();
        String p = source.getPath();
        if (p != null && Path.of(p).getFileName() != null && Path.of(p).getFileName().toString().equals(name)) return p;
        return name;
    }
}
