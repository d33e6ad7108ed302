// The embedding API from a plain Java program: compile DL, train a job, predict, save and load.
// Run from the repository root (after `./mvnw -B -DskipTests install`):
//   java --add-modules jdk.incubator.vector -cp 'runtime/target/dlc-runtime.jar:runtime/target/lib/*' examples/embedding/Embed.java
// (the Vector API module lets the compiled CPU backend run; without it dlc uses its interpreter)
// expected: the trained logistic model classifies both points right (1 and 0), the loaded copy
// predicts the same, and the layer built from Java with out = 3 gives three values.

import dev.dlc.api.Dl;
import dev.dlc.api.Model;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

public class Embed {
    public static void main(String[] args) throws Exception {
        // A file: train its job, then ask the trained model.
        var program = Dl.compile(Path.of("examples/logistic.dl"));
        var training = program.train("logistic", Map.of("epochs", "5"), null);
        Model model = training.model();
        System.out.printf("trained %d epochs, last train loss %.4f%n", training.epochs().size(), training.epochs().getLast().trainLoss());
        // synthetic_binary labels points by the sign of 2 x0 - 3.4 x1
        float positive = model.predict(new float[] {1.0f, -1.0f}, 1, 2)[0];
        float negative = model.predict(new float[] {-1.0f, 1.0f}, 1, 2)[0];
        System.out.println("logit of (1, -1): " + (positive > 0 ? "positive" : "negative"));
        System.out.println("logit of (-1, 1): " + (negative > 0 ? "positive" : "negative"));

        // Save, load, and predict again from native memory.
        Path dir = Files.createTempDirectory("dlc-embed");
        model.save(dir);
        Model loaded = program.load("logistic", dir);
        try (var arena = Arena.ofConfined()) {
            var x = arena.allocate(ValueLayout.JAVA_FLOAT, 2);
            x.setAtIndex(ValueLayout.JAVA_FLOAT, 0, 1.0f);
            x.setAtIndex(ValueLayout.JAVA_FLOAT, 1, -1.0f);
            System.out.println("loaded model agrees: " + (loaded.predict(x, 1, 2)[0] == positive));
        }

        // A string, and a layer built with a config from Java.
        var affine = Dl.compile("affine.dl", """
                layer Affine(out: Int = 2) {
                    param w: f32[F, out] = xavier_uniform
                    param b: f32[out] = zeros
                    forward(x: f32[B, F]) -> f32[B, out] = x @ w + b
                }
                """).model("Affine", Map.of("out", 3), 7);
        System.out.println("Affine(out = 3) gives " + affine.predict(new float[] {1, 2, 3, 4}, 1, 4).length + " values");
    }
}
