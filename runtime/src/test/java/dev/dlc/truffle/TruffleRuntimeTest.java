package dev.dlc.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oracle.truffle.api.Truffle;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.junit.jupiter.api.Test;

/** DL runs on the optimizing Truffle runtime (surefire's argLine sets it up as ./dlc host does). */
class TruffleRuntimeTest {
    @Test void runtimeIsNotTheFallbackInterpreter() {
        String runtime = Truffle.getRuntime().getName();
        assertFalse(runtime.toLowerCase(java.util.Locale.ROOT).contains("interpret"), runtime);
        try (var engine = Engine.create()) {
            String impl = engine.getImplementationName();
            assertFalse(impl.toLowerCase(java.util.Locale.ROOT).contains("interpret"), impl);
        }
    }

    @Test void dlIsRegistered() {
        try (var engine = Engine.create()) {
            assertTrue(engine.getLanguages().containsKey("dl"), engine.getLanguages().keySet().toString());
            assertEquals("DL", engine.getLanguages().get("dl").getName());
        }
    }

    @Test void polyglotContextRunsMain() {
        var out = new ByteArrayOutputStream();
        try (var context = Context.newBuilder("dl").out(out).build()) {
            var result = context.eval("dl", "main {\n    print(\"hello\", 1 + 2)\n}\n");
            // the program, for an embedder: no train jobs here
            assertEquals(0, result.invokeMember("jobs").getArraySize());
        }
        assertEquals("hello 3\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test void contextCreateWorks() {
        try (var context = Context.create("dl")) {
            assertTrue(context.eval("dl", "main { let x = 1 }").hasMember("model"));
        }
    }
}
