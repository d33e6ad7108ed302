package dev.dlc.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.Test;

/** Host statements run through the polyglot API, as an embedder runs them. */
class TruffleHostTest {
    /** Runs {@code main { body }} from a source named t.dl; returns what it printed. */
    static String run(String body) {
        var out = new ByteArrayOutputStream();
        try (var context = Context.newBuilder("dl").out(out).err(new ByteArrayOutputStream()).build()) {
            context.eval(Source.newBuilder("dl", "main {\n" + body + "\n}\n", "t.dl").buildLiteral());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The error message of running {@code main { body }}. */
    static PolyglotException fail(String body) {
        return assertThrows(PolyglotException.class, () -> run(body));
    }

    @Test void printFormatsLikePython() {
        assertEquals("1 2.5 True False hi [1, 'a', [2.0]] (1, 2)\n", run("print(1, 2.5, true, false, \"hi\", [1, \"a\", [2.0]], (1, 2))"));
        assertEquals("0.1 1e-05 0.0001 1e+16 1000000000000000.0 -3.0\n", run("print(0.1, 0.00001, 0.0001, 1e16, 1e15, -3.0)"));
        assertEquals("\n", run("print()"));
    }

    @Test void letAndAssignment() {
        assertEquals("3\n", run("let x = 1\nlet y = x + 1\nx = x + y\nprint(x)"));
    }

    @Test void shadowingInANestedBlockIsANewVariable() {
        assertEquals("2\n1\n", run("let x = 1\nif true {\n let x = 2\n print(x)\n}\nprint(x)"));
    }

    @Test void forOverListsAndRange() {
        assertEquals("a\nb\n", run("for s in [\"a\", \"b\"] { print(s) }"));
        assertEquals("0 1 2\n", run("let xs = []\nlet t = \"\"\nfor i in range(3) { t = t + \" \" + \"x\" }\nprint(0, 1, 2)"));
        assertEquals("10\n", run("let total = 0\nfor i in range(5) { total = total + i }\nprint(total)"));
        assertEquals("[0, 1, 2]\n", run("print(range(3))"));
    }

    @Test void ifElse() {
        assertEquals("big\nsmall\n", run("for x in [5, 1] {\n if x > 2 { print(\"big\") } else { print(\"small\") }\n}"));
        assertEquals("b\n", run("let x = 2\nif x == 1 { print(\"a\") } else if x == 2 { print(\"b\") } else { print(\"c\") }"));
    }

    @Test void arithmetic() {
        assertEquals("7 -1 12 0.75 0 3 8.0\n", run("print(3 + 4, 3 - 4, 3 * 4, 3 / 4, 3 // 4, 3 % 4, 2 ** 3)"));
        assertEquals("-2 1 -2.0 2.5 -5\n", run("let a = -7\nprint(a // 4, a % 4, -7.0 // 4, 1 + 1.5, -(2 + 3))"));
        assertEquals("2.0\n", run("let n = 4\nprint(n / 2)"));
    }

    @Test void comparisonsAndBooleans() {
        assertEquals("True False True False True\n", run("print(1 < 2, 2 <= 1, 1 == 1.0, 3 >= 4, 1 != 2)"));
        assertEquals("False True True\n", run("let t = true\nprint(t and false, t or false, not false)"));
        // xs[i] fails for i >= 1 unless and/or short-circuit
        assertEquals("1 100001\n", run("let xs = [1]\nlet a = 0\nlet o = 0\nfor i in range(100001) {\n"
                + " if i < 1 and xs[i] == 1 { a = a + 1 }\n if i >= 1 or xs[i] == 1 { o = o + 1 }\n}\nprint(a, o)"));
    }

    @Test void stringsListsAndIndexing() {
        assertEquals("ab [1, 2, 3] 3 2 c\n", run("let xs = [1, 2] + [3]\nprint(\"a\" + \"b\", xs, len(xs), xs[-2], \"abc\"[2])"));
        assertEquals("1 b\n", run("let (a, b) = (1, \"b\")\nprint(a, b)"));
    }

    // The checker folds every host value it knows (and reports `xs[5]` or `1 // 0` at compile
    // time); a range longer than it unrolls gives values only the run knows.

    @Test void runtimeErrorIsAPositionedDiagnostic() {
        var e = fail("let xs = [1, 2]\nfor i in range(100001) {\n    if i == 5 { print(xs[i]) }\n}");
        assertTrue(e.isGuestException());
        assertEquals("""
                t.dl:4:26: error: index 5 is out of range for 2 elements
                        if i == 5 { print(xs[i]) }
                                             ^
                """, e.getMessage());
        assertEquals(4, e.getSourceLocation().getStartLine());
        assertEquals(26, e.getSourceLocation().getStartColumn());
    }

    @Test void divisionByZero() {
        var e = fail("for i in range(100001) {\n    print(7 // (3 - i))\n}");
        assertEquals("t.dl:3:13: error: operator //: division by zero\n        print(7 // (3 - i))\n                ^~\n", e.getMessage());
        assertTrue(fail("for i in range(100001) { print(1 / i) }").getMessage().contains("error: operator /: division by zero"));
    }

    @Test void unknownAndTrainingBuiltins() {
        var e = fail("fit(1, 2)");
        assertEquals("t.dl:2:1: error: fit: expected a model (a layer called with its config, e.g. MLP()), found Int\n    fit(1, 2)\n    ^~~~~~~~~\n", e.getMessage());
        var out = new ByteArrayOutputStream();
        try (var context = Context.newBuilder("dl").out(out).err(out).build()) {
            var src = Source.newBuilder("dl", "use std.data\nmain {\n    print(\"before\")\n    let d = kfold(fashion_mnist(batch = 64, root = \"/nonexistent\"), 5)\n}\n", "u.dl").buildLiteral();
            var u = assertThrows(PolyglotException.class, () -> context.eval(src));
            assertTrue(u.getMessage().startsWith("u.dl:4:13: error: fashion_mnist: no folder /nonexistent"), u.getMessage());
        }
        assertEquals("before\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test void compileErrorsAreParseErrors() {
        var e = fail("print(nope)");
        assertTrue(e.isSyntaxError());
        assertTrue(e.getMessage().startsWith("t.dl:2:7: error: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("1 error in t.dl\n"), e.getMessage());
    }

    @Test void aHotLoopCompiles() {
        // enough iterations for on-stack replacement of the loop; the result must not change
        assertEquals("49999995000000\n", run("let s = 0\nfor i in range(10000000) { s = s + i }\nprint(s)"));
    }
}
