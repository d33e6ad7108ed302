package dev.dlc.diag;

/**
 * A half-open range of characters [start, end) in a source. Spans are kept out of
 * structural equality of the AST and IR: two records that differ only in where they
 * were written are the same program.
 */
public record Span(Source source, int start, int end) {
    public Span {
        if (end < start) end = start;
    }

    public int line() { return source.line(start); }
    public int column() { return source.column(start); }

    /** The smallest span covering both. */
    public Span to(Span other) {
        if (other == null || other.source != source) return this;
        return new Span(source, Math.min(start, other.start), Math.max(end, other.end));
    }

    public String text() {
        return source.text().substring(Math.clamp(start, 0, source.text().length()), Math.clamp(end, 0, source.text().length()));
    }

    public String where() { return source.path() + ":" + line() + ":" + column(); }

    @Override public boolean equals(Object o) { return o instanceof Span; }
    @Override public int hashCode() { return 0; }
    @Override public String toString() { return where(); }
}
