package dev.dlc.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/** Collects the diagnostics of one compilation; never throws for user errors. */
public final class Diagnostics {
    private final List<Diagnostic> all = new ArrayList<>();
    private final LinkedHashSet<String> seen = new LinkedHashSet<>();

    public void error(Span span, String message, Diagnostic.Note... notes) {
        add(new Diagnostic(span, Diagnostic.Severity.ERROR, message, List.of(notes)));
    }

    public void warning(Span span, String message, Diagnostic.Note... notes) {
        add(new Diagnostic(span, Diagnostic.Severity.WARNING, message, List.of(notes)));
    }

    /** Adds a diagnostic unless the same message was already reported at the same place. */
    public void add(Diagnostic d) {
        d = relocation.apply(d);
        String key = d.span().where() + "\0" + d.severity() + "\0" + d.message();
        if (seen.add(key)) all.add(d);
    }

    private java.util.function.UnaryOperator<Diagnostic> relocation = d -> d;

    /**
     * Lets a phase move diagnostics before they are recorded, e.g. from inside a library
     * module to the user's call that led there.
     */
    public void relocateWith(java.util.function.UnaryOperator<Diagnostic> f) { relocation = f; }

    public void addAll(Diagnostics other) { other.all.forEach(this::add); }

    public boolean hasErrors() { return all.stream().anyMatch(Diagnostic::isError); }
    public int errorCount() { return (int) all.stream().filter(Diagnostic::isError).count(); }

    /**
     * In source order: by file, then position. A free-standing note stays right after the
     * diagnostic it was added after, since it explains that one.
     */
    public List<Diagnostic> sorted() {
        var groups = new ArrayList<List<Diagnostic>>();
        for (Diagnostic d : all) {
            if (d.severity() == Diagnostic.Severity.NOTE && !groups.isEmpty()) groups.getLast().add(d);
            else groups.add(new ArrayList<>(List.of(d)));
        }
        return groups.stream().sorted(Comparator
                .comparing((List<Diagnostic> g) -> g.getFirst().span().source().path())
                .thenComparingInt(g -> g.getFirst().span().start()))
                .flatMap(List::stream).toList();
    }

    public List<Diagnostic> list() { return List.copyOf(all); }

    public String render() {
        var out = new StringBuilder();
        for (Diagnostic d : sorted()) out.append(d.render());
        return out.toString();
    }

    public static Diagnostic.Note note(Span span, String message) { return new Diagnostic.Note(span, message); }
    public static Diagnostic.Note note(String message) { return new Diagnostic.Note(null, message); }
}
