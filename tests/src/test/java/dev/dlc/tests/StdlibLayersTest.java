package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.Compiler;
import dev.dlc.ast.Decl;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every layer of std.nn applied to at least one concrete input type, with the output type
 * it must produce. A layer without a row fails {@link #everyLayerHasARow}.
 */
class StdlibLayersTest {
    /** A layer construction, its input types and the expected output type. */
    record Row(String ctor, String output, String... inputs) {}

    static final Map<String, Row> ROWS = new TreeMap<>(Map.ofEntries(
            Map.entry("Linear", new Row("Linear(16)", "f32[4,16]", "f32[4,8]")),
            Map.entry("Conv2d", new Row("Conv2d(6, kernel = 5, padding = 2)", "f32[2,6,28,28]", "f32[2,1,28,28]")),
            Map.entry("MaxPool2d", new Row("MaxPool2d(2)", "f32[2,3,4,4]", "f32[2,3,8,8]")),
            Map.entry("AvgPool2d", new Row("AvgPool2d(3, stride = 2, padding = 1)", "f32[2,3,4,4]", "f32[2,3,8,8]")),
            Map.entry("AdaptiveAvgPool2d", new Row("AdaptiveAvgPool2d(2)", "f32[2,3,2,2]", "f32[2,3,8,8]")),
            Map.entry("GlobalAvgPool", new Row("GlobalAvgPool()", "f32[2,3]", "f32[2,3,8,8]")),
            Map.entry("BatchNorm1d", new Row("BatchNorm1d()", "f32[4,10]", "f32[4,10]")),
            Map.entry("BatchNorm2d", new Row("BatchNorm2d()", "f32[2,3,8,8]", "f32[2,3,8,8]")),
            Map.entry("LayerNorm", new Row("LayerNorm()", "f32[2,5,16]", "f32[2,5,16]")),
            Map.entry("Dropout", new Row("Dropout(0.5)", "f32[4,10]", "f32[4,10]")),
            Map.entry("Embedding", new Row("Embedding(100, 8)", "f32[2,5,8]", "i32[2,5]")),
            Map.entry("Flatten", new Row("Flatten()", "f32[2,48]", "f32[2,3,4,4]")),
            Map.entry("Identity", new Row("Identity()", "f32[2,3]", "f32[2,3]")),
            Map.entry("ReLU", new Row("ReLU()", "f32[2,3]", "f32[2,3]")),
            Map.entry("LeakyReLU", new Row("LeakyReLU(0.1)", "f32[2,3]", "f32[2,3]")),
            Map.entry("Sigmoid", new Row("Sigmoid()", "f32[2,3]", "f32[2,3]")),
            Map.entry("Tanh", new Row("Tanh()", "f32[2,3]", "f32[2,3]")),
            Map.entry("GELU", new Row("GELU()", "f32[2,3]", "f32[2,3]")),
            Map.entry("Softmax", new Row("Softmax()", "f32[2,3]", "f32[2,3]")),
            Map.entry("RNNCell", new Row("RNNCell(16)", "(f32[4,16], f32[4,16])", "f32[4,8]", "f32[4,16]")),
            Map.entry("GRUCell", new Row("GRUCell(16)", "(f32[4,16], f32[4,16])", "f32[4,8]", "f32[4,16]")),
            Map.entry("LSTMCell", new Row("LSTMCell(16)", "(f32[4,16], (f32[4,16], f32[4,16]))", "f32[4,8]", "(f32[4,16], f32[4,16])")),
            Map.entry("RNNLayer", new Row("RNNLayer(16)", "(f32[4,7,16], f32[1,4,16])", "f32[4,7,8]", "f32[1,4,16]")),
            Map.entry("GRULayer", new Row("GRULayer(16, bidirectional = true)", "(f32[4,7,32], f32[2,4,16])", "f32[4,7,8]", "f32[2,4,16]")),
            Map.entry("LSTMLayer", new Row("LSTMLayer(16)", "(f32[4,7,16], (f32[1,4,16], f32[1,4,16]))", "f32[4,7,8]", "f32[1,4,16]", "f32[1,4,16]")),
            Map.entry("RNN", new Row("RNN(16, layers = 2)", "(f32[4,7,16], f32[2,4,16])", "f32[4,7,8]")),
            Map.entry("GRU", new Row("GRU(16, bidirectional = true)", "(f32[4,7,32], f32[2,4,16])", "f32[4,7,8]")),
            Map.entry("LSTM", new Row("LSTM(16, layers = 2)", "(f32[4,7,16], (f32[2,4,16], f32[2,4,16]))", "f32[4,7,8]")),
            Map.entry("DotProductAttention", new Row("DotProductAttention()", "f32[2,5,12]", "f32[2,5,8]", "f32[2,6,8]", "f32[2,6,12]")),
            Map.entry("AdditiveAttention", new Row("AdditiveAttention(10)", "f32[2,5,12]", "f32[2,5,8]", "f32[2,6,4]", "f32[2,6,12]")),
            Map.entry("MultiHeadAttention", new Row("MultiHeadAttention(4, 16)", "f32[2,5,16]", "f32[2,5,16]", "f32[2,6,16]", "f32[2,6,16]")),
            Map.entry("PositionalEncoding", new Row("PositionalEncoding(16)", "f32[2,5,16]", "f32[2,5,16]")),
            Map.entry("TransformerEncoderBlock", new Row("TransformerEncoderBlock(16, 4, 32)", "f32[2,5,16]", "f32[2,5,16]")),
            Map.entry("TransformerDecoderBlock", new Row("TransformerDecoderBlock(16, 4, 32)", "f32[2,5,16]", "f32[2,5,16]", "f32[2,6,16]")),
            Map.entry("PatchEmbedding", new Row("PatchEmbedding(4, 32)", "f32[2,49,32]", "f32[2,1,28,28]"))));

    @TestFactory
    Stream<DynamicTest> everyStdlibModuleChecksClean() {
        return Repo.dlFiles("stdlib/std").stream().map(f -> dynamicTest(f.getFileName().toString(), () -> {
            var c = Compiler.checkFile(f);
            assertEquals("", c.diags().render());
        }));
    }

    @Test
    void everyLayerHasARow() {
        var c = Compiler.checkFile(Repo.path("stdlib/std/nn.dl"));
        assertEquals("", c.diags().render(), "std.nn must check clean");
        var layers = c.program().root().decls().stream().filter(d -> d instanceof Decl.LayerDecl)
                .map(d -> ((Decl.LayerDecl) d).name().name()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(layers, new TreeSet<>(ROWS.keySet()), "std.nn layers and the rows of this test");
    }

    /**
     * A probe layer whose forward takes the row's concrete input types and declares the
     * expected output type: checking the probe applies the layer to those types.
     */
    @TestFactory
    Stream<DynamicTest> layersOnConcreteInputs() {
        return ROWS.entrySet().stream().map(e -> dynamicTest(e.getKey(), () -> {
            Row row = e.getValue();
            var params = new ArrayList<String>();
            var args = new ArrayList<String>();
            for (int i = 0; i < row.inputs().length; i++) { params.add("x" + i + ": " + row.inputs()[i]); args.add("x" + i); }
            String program = "use std.nn\nlayer Probe() {\n    l = " + row.ctor() + "\n    forward(" + String.join(", ", params)
                    + ") -> " + row.output() + " = l(" + String.join(", ", args) + ")\n}\n";
            var c = Compiler.checkString(Repo.path("tests/probe.dl").toString(), program);
            assertEquals("", c.diags().render(), program);
            var probe = (Decl.LayerDecl) c.program().root().decls().stream().filter(d -> d instanceof Decl.LayerDecl).findFirst().orElseThrow();
            assertEquals(row.output(), c.checker().forwardType(probe).map(Object::toString).orElse("(not checked)"), program);
        }));
    }
}
