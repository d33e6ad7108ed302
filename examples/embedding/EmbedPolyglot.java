// The same through the polyglot API: DL is a Truffle language, `Context.create("dl")`.
// Run from the repository root (after `./mvnw -B -DskipTests install`), on the optimizing runtime:
//   java -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path=runtime/target/upgrade --add-modules jdk.incubator.vector \
//        -cp 'runtime/target/dlc-runtime.jar:runtime/target/lib/*' examples/embedding/EmbedPolyglot.java
// expected: evaluating the file gives the program (its train blocks and main left out with
// dl.Train=none and dl.Main=false); training the job classifies both points right, the
// model saved and loaded predicts the same, and a layer built with {out: 3} gives three values.

import java.nio.file.Files;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

public class EmbedPolyglot {
    public static void main(String[] args) throws Exception {
        try (var context = Context.newBuilder("dl").option("dl.Train", "none").option("dl.Main", "false").allowAllAccess(true).build()) {
            Value program = context.eval(Source.newBuilder("dl", new java.io.File("examples/logistic.dl")).build());
            System.out.println("jobs: " + program.invokeMember("jobs"));

            Value model = program.invokeMember("train", "logistic");
            // synthetic_binary labels points by the sign of 2 x0 - 3.4 x1
            float positive = model.invokeMember("predict", new float[] {1.0f, -1.0f}, new int[] {1, 2}).as(float[].class)[0];
            float negative = model.invokeMember("predict", new float[] {-1.0f, 1.0f}, new int[] {1, 2}).as(float[].class)[0];
            System.out.println("logit of (1, -1): " + (positive > 0 ? "positive" : "negative"));
            System.out.println("logit of (-1, 1): " + (negative > 0 ? "positive" : "negative"));

            var dir = Files.createTempDirectory("dlc-polyglot");
            model.invokeMember("save", dir.toString());
            Value loaded = program.invokeMember("load", dir.toString());
            float again = loaded.invokeMember("predict", new float[] {1.0f, -1.0f}, new int[] {1, 2}).as(float[].class)[0];
            System.out.println("loaded model agrees: " + (again == positive));

            Value affine = context.eval(Source.create("dl", """
                    layer Affine(out: Int = 2) {
                        param w: f32[F, out] = xavier_uniform
                        param b: f32[out] = zeros
                        forward(x: f32[B, F]) -> f32[B, out] = x @ w + b
                    }
                    """)).invokeMember("model", "Affine", Map.of("out", 3));
            float[] y = affine.invokeMember("predict", new float[] {1, 2, 3, 4}, new int[] {1, 4}).as(float[].class);
            System.out.println("Affine(out = 3) gives " + y.length + " values");
        }
    }
}
