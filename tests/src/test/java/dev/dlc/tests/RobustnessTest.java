package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dlc.Compiler;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Span;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Ten thousand mutants of the examples and the stdlib (token deletion, duplication and
 * swap, truncation, random bytes): compiling them never lets an exception escape, and
 * every diagnostic points inside its file. Seeded, so a failure reproduces.
 */
class RobustnessTest {
    static final int MUTANTS = 10_000;
    static final Pattern TOKEN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9_.eE]*|\"[^\"\\n]*\"|\\s+|#[^\\n]*|\\|>|->|\\*\\*|//|<=|>=|==|!=|\\.\\.\\.|.");

    record Mutant(String text, String how) {}

    @Test
    void mutantsNeverCrashAndDiagnosticsPointInsideTheFile() {
        var sources = new ArrayList<Path>(Repo.dlFiles("examples"));
        sources.addAll(Repo.dlFiles("stdlib/std"));
        var texts = sources.stream().map(Repo::read).toList();
        var failures = new ConcurrentLinkedQueue<String>();
        var errors = new AtomicInteger();
        IntStream.range(0, MUTANTS).parallel().forEach(i -> {
            var rnd = new Random(0x5eed_0000L + i);
            int k = rnd.nextInt(texts.size());
            var m = mutate(texts.get(k), rnd);
            // The mutant lives next to its original, so relative imports still resolve.
            String path = sources.get(k).resolveSibling("mutant-" + i + ".dl").toString();
            try {
                var c = Compiler.checkString(path, m.text());
                for (Diagnostic d : c.diags().list()) {
                    check(d.span(), d.message(), failures, i, m);
                    for (var n : d.notes()) if (n.span() != null) check(n.span(), n.message(), failures, i, m);
                }
                if (c.diags().hasErrors()) errors.incrementAndGet();
            } catch (Throwable t) {
                failures.add("mutant " + i + " (" + m.how() + " of " + Repo.relative(sources.get(k)) + "): " + t);
            }
        });
        if (!failures.isEmpty())
            fail(failures.size() + " failures; first ones:\n" + String.join("\n", failures.stream().limit(10).toList()));
        // Most mutants are broken: a checker that reports nothing is not checking.
        assertTrue(errors.get() > MUTANTS / 2, "only " + errors.get() + " of " + MUTANTS + " mutants had errors");
    }

    private static void check(Span s, String message, ConcurrentLinkedQueue<String> failures, int i, Mutant m) {
        var src = s.source();
        int line = s.line(), col = s.column();
        boolean inside = line >= 1 && line <= src.lineCount() && col >= 1 && col <= src.lineText(line).length() + 1
                && s.start() >= 0 && s.end() <= src.text().length();
        if (!inside) failures.add("mutant " + i + " (" + m.how() + "): diagnostic outside its file at " + line + ":" + col + ": " + message);
    }

    /** One mutation: a token deleted, duplicated or swapped, the text truncated, or random bytes inserted. */
    static Mutant mutate(String text, Random rnd) {
        var tokens = new ArrayList<String>();
        Matcher mt = TOKEN.matcher(text);
        while (mt.find()) tokens.add(mt.group());
        var sig = new ArrayList<Integer>();
        for (int t = 0; t < tokens.size(); t++) if (!tokens.get(t).isBlank() && !tokens.get(t).startsWith("#")) sig.add(t);
        int op = rnd.nextInt(6);
        String how;
        if (sig.size() < 2) op = 3;
        switch (op) {
            case 0 -> { tokens.remove((int) sig.get(rnd.nextInt(sig.size()))); how = "token deletion"; }
            case 1 -> { int t = sig.get(rnd.nextInt(sig.size())); tokens.add(t, tokens.get(t)); how = "token duplication"; }
            case 2 -> {
                int a = rnd.nextInt(sig.size() - 1);
                int x = sig.get(a), y = sig.get(a + 1);
                String tmp = tokens.get(x); tokens.set(x, tokens.get(y)); tokens.set(y, tmp);
                how = "token swap";
            }
            case 3 -> { return new Mutant(text.substring(0, rnd.nextInt(text.length() + 1)), "truncation"); }
            case 4 -> {
                int at = rnd.nextInt(text.length() + 1);
                var bytes = new StringBuilder();
                for (int b = 1 + rnd.nextInt(4); b > 0; b--) bytes.append((char) (rnd.nextBoolean() ? rnd.nextInt(128) : rnd.nextInt(0x3000)));
                return new Mutant(text.substring(0, at) + bytes + text.substring(at), "random bytes");
            }
            default -> {
                // Replace a token by another token of the file: a plausible but wrong program.
                int t = sig.get(rnd.nextInt(sig.size()));
                tokens.set(t, tokens.get(sig.get(rnd.nextInt(sig.size()))));
                how = "token replacement";
            }
        }
        return new Mutant(String.join("", tokens), how);
    }

    @Test
    void mutationIsDeterministic() {
        String text = "layer A() { forward(x: f32[B, 2]) -> f32[B, 2] = x }\n";
        assertEquals(mutate(text, new Random(7)), mutate(text, new Random(7)));
    }

}
