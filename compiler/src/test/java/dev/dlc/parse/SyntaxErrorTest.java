package dev.dlc.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Module;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Source;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each malformed input gives exactly these errors, as {@code line:col: message}. */
class SyntaxErrorTest {

    static List<String> errors(String text) {
        var diags = new Diagnostics();
        Parser.parse("t", new Source("t.dl", text), diags);
        return diags.sorted().stream().map(d -> d.span().line() + ":" + d.span().column() + ": " + d.message()).toList();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            Arguments.of("fn f(x: f32[B] -> f32[B] = x", List.of("1:16: expected ',' or ')' but found '->'")),
            Arguments.of("fn f(x) = x[1:2", List.of("1:16: unexpected end of file: expected ',' or ']'")),
            Arguments.of("fn f() = x ** ", List.of("1:14: unexpected end of file: expected an expression")),
            Arguments.of("layer L() {\n    param w: f32[D] = zeros\n", List.of("2:28: unexpected end of file")),
            Arguments.of("fn f(x) = x $ 2", List.of("1:13: unexpected character '$'")),
            Arguments.of("fn f(x) = x\u200B", List.of("1:12: unexpected character U+200B")),
            Arguments.of("main { print(\"hello) }", List.of("1:14: unterminated string")),
            Arguments.of("main {\n    let x = 1\n    else { }\n}", List.of("3:5: 'else' without a matching 'if'")),
            Arguments.of("fn (x) = x", List.of("1:4: expected a name but found '('")),
            Arguments.of("layer L() {\n    param w f32[D]\n}\nfn g() = 1", List.of("2:13: expected ':' but found 'f32'")),
            Arguments.of("main { let = 3 }", List.of("1:12: expected '(' or a name but found '='")),
            Arguments.of("foo bar\nfn g() = 1", List.of("1:1: expected a declaration but found 'foo'")),
            Arguments.of("train t { model = }", List.of("1:19: expected an expression but found '}'")),
            Arguments.of("main { if x { } else y = 1 }", List.of("1:22: expected '{' or 'if' after 'else' but found 'y'")),
            Arguments.of("fn f() = 99999999999999999999",
                    List.of("1:10: integer literal 99999999999999999999 is too large (the largest is 9223372036854775807)")),
            Arguments.of("fn f() = \"a\\qb\"", List.of("1:12: unknown escape '\\q' in string (known: \\n \\t \\\" \\\\)")),
            Arguments.of("use \"x.dl\nfn f() = 1", List.of("1:5: unterminated string")),
            Arguments.of("fn f(x: f32[B,]) = x", List.of("1:15: expected a dimension but found ']'")),
            Arguments.of("}", List.of("1:1: expected a declaration but found '}'")),
            Arguments.of("fn f(x) = a +", List.of("1:13: expected a declaration but found '+'")),
            Arguments.of("""
                    main {
                        let x = 1
                        let y = 2 +
                        let z = )
                        print(x y)
                    }
                    """, List.of("4:5: expected an expression but found 'let'", "5:13: expected ',' or ')' but found 'y'")));
    }

    @ParameterizedTest @MethodSource("cases")
    void reportsWhatWasExpectedAndFound(String text, List<String> expected) {
        assertEquals(expected, errors(text));
    }

    @Test void endOfFileIsReportedInsideTheFile() {
        for (String text : List.of("fn f(", "fn f(\n", "fn f(\n\n\n", "layer L() {\n  # trailing comment\n", "fn", "use\n")) {
            var diags = new Diagnostics();
            Parser.parse("t", new Source("t.dl", text), diags);
            Diagnostic d = diags.list().getFirst();
            Source src = d.span().source();
            assertTrue(d.span().line() <= src.lineCount(), text);
            assertTrue(d.span().column() <= src.lineText(d.span().line()).length() + 1, text);
            assertTrue(d.message().startsWith("unexpected end of file"), d.message());
            assertTrue(d.render().contains("^"), d.render());
        }
    }

    @Test void brokenDeclarationsAreSkippedAndTheRestKept() {
        var diags = new Diagnostics();
        Module m = Parser.parse("t", new Source("t.dl", """
                fn ok1() = 1
                fn broken(x = ) = x
                layer Ok2() = seq { ReLU() }
                main { let = }
                fn ok3() = 3
                """), diags);
        assertEquals(List.of("ok1", "Ok2", "ok3"),
                m.decls().stream().map(d -> ((Decl.Named) d).name().name()).toList());
        assertEquals(2, diags.errorCount());
    }

    @Test void errorsAreCappedPerFile() {
        String text = "main {\n" + "  let = 1\n".repeat(50) + "}\n";
        var errors = errors(text);
        assertEquals(ErrorReporter.MAX_ERRORS, errors.size());
        assertEquals("2:7: expected '(' or a name but found '='", errors.getFirst());
    }

    @Test void absurdNestingIsAnErrorNotACrash() {
        var errors = errors("fn f() = " + "(".repeat(20_000) + "x" + ")".repeat(20_000));
        assertEquals(List.of("1:110: nesting too deep to parse (more than 100 brackets)"), errors);
        assertEquals(List.of("1:1: nesting too deep to parse"), errors("fn f() = " + "-".repeat(200_000) + "x"));
        assertEquals(List.of(), errors("fn f() = " + "(".repeat(100) + "x" + ")".repeat(100)));
        assertEquals(List.of(), errors("fn f() = " + "f(".repeat(100) + "x" + ")".repeat(100)));
        assertEquals(List.of(), errors("fn f() = " + "[".repeat(100) + "x" + "]".repeat(100)));
    }

    @Test void nothingReachesStderrAndNothingIsThrown() {
        PrintStream saved = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured));
        try {
            for (String text : List.of("fn f(((", "\"", "\\", "layer { } } }", "main { ``` }", "\0\u0001", "if then else",
                    "fn f() = seq { repeat }", "use std.", "schedule s()() -> = 1", "x".repeat(3) + "[".repeat(500))) {
                errors(text);
            }
        } finally {
            System.setErr(saved);
        }
        assertEquals("", captured.toString());
    }
}
