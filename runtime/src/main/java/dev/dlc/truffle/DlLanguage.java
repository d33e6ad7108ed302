package dev.dlc.truffle;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.source.Source;
import dev.dlc.Compiler;
import dev.dlc.ast.Decl;
import dev.dlc.diag.Diagnostic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * DL as a Truffle language. Parsing a source runs the whole front end (parse, resolve, check);
 * compile errors become one {@link DlException} holding every diagnostic. The call target runs
 * the file's {@code main} block (none: it does nothing). Train jobs are not run here yet.
 */
@TruffleLanguage.Registration(id = DlLanguage.ID, name = "DL", version = "0.1",
        defaultMimeType = DlLanguage.MIME_TYPE, characterMimeTypes = DlLanguage.MIME_TYPE,
        contextPolicy = TruffleLanguage.ContextPolicy.SHARED)
public final class DlLanguage extends TruffleLanguage<DlContext> {
    public static final String ID = "dl";
    public static final String MIME_TYPE = "application/x-dl";

    @Override protected DlContext createContext(Env env) {
        // The one place the builtins are chosen; the training loop will replace this default.
        return new DlContext(env, new DefaultHostBuiltins(env.out()));
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
        var main = c.program().root().decls().stream()
                .filter(Decl.MainDecl.class::isInstance).map(Decl.MainDecl.class::cast).findFirst();
        return new HostTranslator(this, source).main(main.orElse(null)).getCallTarget();
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
