package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.api.Dl;
import dev.dlc.api.DlException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Java embedding API, and the example program in examples/embedding run as a user runs it. */
class EmbeddingTest {
    @Test
    void theExampleProgramRuns() throws Exception {
        // without the Vector API module: the embedding API falls back to the interpreter
        String out = runExample("examples/embedding/Embed.java");
        assertTrue(out.contains("trained 5 epochs"), out);
        assertTrue(out.contains("logit of (1, -1): positive"), out);
        assertTrue(out.contains("logit of (-1, 1): negative"), out);
        assertTrue(out.contains("loaded model agrees: true"), out);
        assertTrue(out.contains("Affine(out = 3) gives 3 values"), out);
    }

    @Test
    void theExampleRunsThroughThePolyglotApi() throws Exception {
        // on the optimizing Truffle runtime, as the example's header says to run it
        String out = runExample("-XX:+UnlockExperimentalVMOptions", "-XX:+EnableJVMCI", "--upgrade-module-path=runtime/target/upgrade", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "examples/embedding/EmbedPolyglot.java");
        assertTrue(out.contains("jobs: ['logistic']"), out);
        assertTrue(out.contains("logit of (1, -1): positive"), out);
        assertTrue(out.contains("logit of (-1, 1): negative"), out);
        assertTrue(out.contains("loaded model agrees: true"), out);
        assertTrue(out.contains("Affine(out = 3) gives 3 values"), out);
    }

    /** Runs a single-file Java program from the repository root as a user would (java FILE.java), on the test's class path; its output. */
    private static String runExample(String... argsThenFile) throws Exception {
        var command = new java.util.ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(argsThenFile).subList(0, argsThenFile.length - 1));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), argsThenFile[argsThenFile.length - 1]));
        var process = new ProcessBuilder(command).directory(Repo.ROOT.toFile()).redirectErrorStream(true).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the example finishes");
        String out = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.exitValue(), out);
        return out;
    }

    @Test
    void compileErrorsAreDiagnostics() {
        var e = assertThrows(DlException.class, () -> Dl.compile("bad.dl", "layer L() {\n    forward(x: f32[B, 3]) -> f32[B, 4] = x\n}\n"));
        assertTrue(e.getMessage().startsWith("bad.dl:2:"), e.getMessage());
        assertTrue(e.getMessage().contains("error:"), e.getMessage());
    }

    @Test
    void aLayerWithAConfigFromJava() throws Exception {
        var program = Dl.compile("affine.dl", "layer Affine(out: Int = 2) {\n    param w: f32[F, out] = ones\n    forward(x: f32[B, F]) -> f32[B, out] = x @ w\n}\n");
        var model = program.model("Affine", Map.of("out", 3), 0);
        assertArrayEquals(new float[] {3, 3, 3, 7, 7, 7}, model.predict(new float[] {1, 2, 3, 4}, 2, 2));
        assertEquals(List.of("w"), model.weights());
        var e = assertThrows(DlException.class, () -> program.model("Affine", Map.of("out", "three"), 0).predict(new float[] {1}, 1, 1));
        assertTrue(e.getMessage().contains("out"), e.getMessage());
    }
}
