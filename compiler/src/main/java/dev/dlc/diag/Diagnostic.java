package dev.dlc.diag;

import java.util.List;

/** One message for the user: where, how bad, what, and notes that explain it. */
public record Diagnostic(Span span, Severity severity, String message, List<Note> notes) {
    public enum Severity {
        ERROR, WARNING, NOTE;
        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** A note; {@code span} may be null for a note that has no place in the source. */
    public record Note(Span span, String message) {}

    public Diagnostic { notes = List.copyOf(notes); }

    public boolean isError() { return severity == Severity.ERROR; }

    /** The diagnostic as the user sees it: location, message, source line, caret, notes. */
    public String render() {
        var out = new StringBuilder();
        header(out, span, severity.label(), message);
        for (Note n : notes) {
            if (n.span() == null) out.append("note: ").append(n.message()).append('\n');
            else header(out, n.span(), "note", n.message());
        }
        return out.toString();
    }

    private static void header(StringBuilder out, Span span, String label, String message) {
        out.append(span.where()).append(": ").append(label).append(": ").append(message).append('\n');
        caret(out, span);
    }

    /** The source line, then a caret under the first character of the span and tildes under the rest of it on that line. */
    private static void caret(StringBuilder out, Span span) {
        Source src = span.source();
        int line = span.line();
        String text = src.lineText(line);
        int col = span.column();
        var shown = new StringBuilder();
        var marks = new StringBuilder();
        int[] cps = text.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            int width = c == '\t' ? 4 : 1;
            shown.append(c == '\t' ? "    " : Character.isISOControl(c) ? "?" : Character.toString(c));
            if (i + 1 < col) marks.append(" ".repeat(width));
        }
        int endOnLine = src.line(span.end()) == line ? src.column(span.end()) : cps.length + 1;
        int len = Math.max(1, endOnLine - col);
        marks.append('^').append("~".repeat(Math.max(0, Math.min(len, cps.length - col + 2) - 1)));
        out.append("    ").append(shown).append('\n');
        out.append("    ").append(marks.toString().stripTrailing()).append('\n');
    }
}
