package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training builtins of host code (LANGUAGE.md §8) through `dlc run` and the polyglot API:
 * fit, evaluate, predict, save, load, kfold, fns called on tensors, and their errors, each a
 * diagnostic at the call.
 */
class HostTrainingTest {

    /** A copy of a tests/host program whose ARG_DIR is a directory of the test's own. */
    private static Path program(String name, Path tmp) throws Exception {
        String text = Files.readString(Repo.path("tests/host/" + name)).replace("ARG_DIR", '"' + tmp.resolve("ckpt").toString() + '"');
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void fitTrainsInPlaceAndPredictSaveAndLoadUseTheTrainedWeights(@TempDir Path tmp) throws Exception {
        var run = Repo.dlc("run", program("fit_predict.dl", tmp).toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("before True after True loss True"), run.out());
        // y = 2 x0 - 3.4 x1 + 4.2 at (1, 0), (0, 1), (0, 0)
        var y = run.out().lines().filter(l -> l.startsWith("tensor(")).findFirst().orElseThrow();
        var values = y.replaceAll("tensor\\(\\[(.*)\\]\\)", "$1").split(", ");
        assertEquals(6.2, Double.parseDouble(values[0]), 0.05, y);
        assertEquals(0.8, Double.parseDouble(values[1]), 0.05, y);
        assertEquals(4.2, Double.parseDouble(values[2]), 0.05, y);
        assertTrue(run.out().contains("reloaded True"), run.out());
        assertTrue(run.out().contains("tensor([2.0000, 5.0000])"), run.out());
        assertTrue(Files.isRegularFile(tmp.resolve("ckpt/checkpoint.safetensors")));
    }

    @Test
    void configuredLossesComposedSchedulesAndATrainBlocksCheckpoint(@TempDir Path tmp) throws Exception {
        var run = Repo.dlc("run", program("configured.dl", tmp).toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        var lines = run.out().lines().toList();
        int i = lines.indexOf(lines.stream().filter(l -> l.startsWith("train job: 2 epochs")).findFirst().orElseThrow());
        assertTrue(Double.parseDouble(lines.get(i + 1)) < 1.1, run.out());       // fit's last training loss
        assertTrue(Double.parseDouble(lines.get(i + 2)) < 1.1, run.out());       // evaluate with the same smoothed loss
        assertTrue(lines.get(i + 3).startsWith("C(hidden = 4) (39 weights) "), run.out());
    }

    @Test
    void kfoldTrainsAFreshModelPerFold(@TempDir Path tmp) throws Exception {
        var run = Repo.dlc("run", program("kfold.dl", tmp).toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("4 fold 1 of 4 of synthetic_regression(n = 200, features = 3, batch = 20)"), run.out());
        assertEquals(4, run.out().lines().filter(l -> l.startsWith("train fit Squeeze(): 20 epochs")).count(), run.out());
        assertTrue(run.out().contains("mean validation mse below 0.01: True"), run.out());
    }

    @Test
    void theKFoldHousePricesExampleReachesItsStatedError() {
        var run = Repo.dlc("run", Repo.path("examples/kfold_house_prices.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        assertEquals(5, run.out().lines().filter(l -> l.startsWith("fold ")).count(), run.out());
        var last = run.out().lines().reduce((a, b) -> b).orElseThrow();
        double mean = Double.parseDouble(last.replaceAll(".*folds: ([0-9.]+)$", "$1"));
        assertTrue(mean < 0.12, last);
    }

    @Test
    void theSaveLoadExampleRoundTrips() {
        var run = Repo.dlc("run", Repo.path("examples/save_load.dl").toString());
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("same predictions: True"), run.out());
        assertTrue(run.out().contains("same accuracy: True"), run.out());
        var accuracy = run.out().lines().filter(l -> l.startsWith("accuracy ")).findFirst().orElseThrow();
        assertTrue(Double.parseDouble(accuracy.split(" ")[1]) > 0.9, accuracy);
    }

    private static Repo.Run host(String main, Path tmp) throws Exception {
        Path p = tmp.resolve("h.dl");
        Files.writeString(p, "use std.nn\nuse std.data\nlayer Net() = seq { Linear(1) }\nmain {\n" + main + "\n}\n");
        return Repo.dlc("run", p.toString());
    }

    @Test
    void badCallsAreDiagnosticsAtTheCall(@TempDir Path tmp) throws Exception {
        String data = "    let d = synthetic_regression(n = 20, features = 2)\n";
        var run = host(data + "    fit(Net(), d, loss = mse)", tmp);
        assertEquals(1, run.status());
        assertTrue(run.err().startsWith(tmp.resolve("h.dl") + ":6:5: error: fit: missing optimizer = ..."), run.err());
        // the checker's own words about the train job the call stands for
        run = host(data + "    fit(Net(), d, loss = cross_entropy, optimizer = sgd(lr = 0.1))", tmp);
        assertEquals(1, run.status());
        assertTrue(run.err().contains(":6:5: error: fit: "), run.err());
        assertTrue(run.err().contains("fit(Net(), d, loss = cross_entropy"), run.err());
        run = host(data + "    fit(Net(), d, loss = mse, optimizer = sgd(lr = 0.1), epochz = 2)", tmp);
        assertEquals(1, run.status());
        assertTrue(run.err().contains("epochz"), run.err());
        run = host(data + "    kfold(d, 1)", tmp);
        assertEquals(1, run.status());
        assertTrue(run.err().contains(":6:5: error: kfold: k must lie between 2 and the number of examples (20), found 1"), run.err());
        run = host("    load(\"" + tmp.resolve("nothing") + "\")", tmp);
        assertEquals(1, run.status());
        assertTrue(run.err().contains(":5:5: error: load: "), run.err());
        run = host("    evaluate(3, 4, mse)", tmp);
        assertEquals(1, run.status());
        assertTrue(run.err().contains("error: evaluate: expected a model"), run.err());
        run = host("    tensor([[1.0], [2.0, 3.0]])", tmp);
        assertEquals(1, run.status());
        assertTrue(run.err().contains("error: tensor: the lists are not rectangular"), run.err());
        for (var r : java.util.List.of(run)) assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void thePolyglotApiRunsTrainBlocksAndMain() throws Exception {
        var out = new ByteArrayOutputStream();
        String text = """
                use std.nn
                use std.data
                layer Net() = seq { Linear(1) }
                layer Squeeze() {
                    net = Net()
                    forward(x: f32[B, F]) -> f32[B] = net(x)[:, 0]
                }
                train warmup {
                    model = Squeeze()
                    data = synthetic_regression(n = 100, features = 2)
                    loss = mse
                    optimizer = sgd(lr = 0.05)
                    epochs = 2
                }
                main {
                    let m = Squeeze()
                    fit(m, synthetic_regression(n = 100, features = 2), loss = mse, optimizer = adam(lr = 0.1), epochs = 5)
                    print("predicted", predict(m, zeros([3, 2])))
                }
                """;
        try (var context = Context.newBuilder("dl").out(out).err(out).build()) {
            context.eval(Source.newBuilder("dl", text, "poly.dl").build());
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("train warmup: 2 epochs"), printed);
        assertTrue(printed.contains("train fit Squeeze(): 5 epochs"), printed);
        assertTrue(printed.contains("predicted tensor(["), printed);
        // dl.Train=none: main only
        out.reset();
        try (var context = Context.newBuilder("dl").option("dl.Train", "none").out(out).err(out).build()) {
            context.eval(Source.newBuilder("dl", text, "poly.dl").build());
        }
        printed = out.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("train warmup"), printed);
        assertTrue(printed.contains("predicted tensor(["), printed);
        try (var context = Context.newBuilder("dl").out(out).err(out).build()) {
            var e = assertThrows(PolyglotException.class,
                    () -> context.eval(Source.newBuilder("dl", "use std.nn\nmain {\n    fit(Linear(2), 3)\n}\n", "bad.dl").build()));
            assertTrue(e.getMessage().startsWith("bad.dl:3:5: error: fit: expected a data set"), e.getMessage());
        }
    }
}
