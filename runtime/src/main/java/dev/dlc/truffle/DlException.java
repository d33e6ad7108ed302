package dev.dlc.truffle;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.exception.AbstractTruffleException;
import com.oracle.truffle.api.interop.ExceptionType;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.UnsupportedMessageException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import com.oracle.truffle.api.source.SourceSection;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Source;
import dev.dlc.diag.Span;
import java.util.List;

/**
 * A user error in a DL program, as a guest exception. Its message is the rendered diagnostic
 * ({@code FILE:LINE:COL: error: message}, the source line and a caret), so that a polyglot host
 * prints {@code getMessage()} and nothing else. Compile errors are {@link ExceptionType#PARSE_ERROR}
 * and carry every diagnostic of the compilation; run-time errors point at the node that failed.
 */
@ExportLibrary(InteropLibrary.class)
public final class DlException extends AbstractTruffleException {
    private static final long serialVersionUID = 1L;

    private final transient SourceSection section;
    private final boolean parseError;

    private DlException(String rendered, Node location, SourceSection section, boolean parseError) {
        super(rendered, location);
        this.section = section;
        this.parseError = parseError;
    }

    /** A run-time error at {@code node}'s source section. */
    @TruffleBoundary
    public static DlException at(Node node, String message) {
        SourceSection s = node.getEncapsulatingSourceSection();
        return new DlException(render(s, message), node, s, false);
    }

    /** A run-time error at a source section, e.g. a builtin's call site (see {@link HostBuiltins}). */
    @TruffleBoundary
    public static DlException at(SourceSection s, String message) {
        return new DlException(render(s, message), null, s, false);
    }

    /** An error whose diagnostic is already rendered (the training loop's), located at {@code s}. */
    @TruffleBoundary
    public static DlException rendered(String text, SourceSection s) {
        return new DlException(text, null, s, false);
    }

    /** The compile errors of a program: every diagnostic, then how many errors there were. */
    @TruffleBoundary
    static DlException compileErrors(Diagnostics diags, SourceSection first, String path) {
        int n = diags.errorCount();
        String text = diags.render() + n + " error" + (n == 1 ? "" : "s") + " in " + path + "\n";
        return new DlException(text, null, first, true);
    }

    private static String render(SourceSection s, String message) {
        if (s == null || !s.isAvailable()) return "error: " + message + "\n";
        var src = new Source(DlLanguage.displayPath(s.getSource()), s.getSource().getCharacters().toString());
        var span = new Span(src, s.getCharIndex(), s.getCharEndIndex());
        return new Diagnostic(span, Diagnostic.Severity.ERROR, message, List.of()).render();
    }

    @ExportMessage ExceptionType getExceptionType() {
        return parseError ? ExceptionType.PARSE_ERROR : ExceptionType.RUNTIME_ERROR;
    }

    @ExportMessage boolean isExceptionIncompleteSource() { return false; }

    @ExportMessage boolean hasSourceLocation() { return section != null; }

    @ExportMessage(name = "getSourceLocation")
    SourceSection sourceLocation() throws UnsupportedMessageException {
        if (section == null) throw UnsupportedMessageException.create();
        return section;
    }
}
