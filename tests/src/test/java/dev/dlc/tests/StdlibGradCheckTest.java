package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.Compiler;
import dev.dlc.ir.Builder;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Node;
import dev.dlc.ir.Verifier;
import dev.dlc.ops.Tensor;
import dev.dlc.pass.AutodiffPass;
import dev.dlc.pass.FiniteDifferences;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every std.nn layer of {@link StdlibLayersTest}'s table, differentiated by the autodiff pass
 * and compared with central differences in f64: the loss is {@code sum(out * c)} over the
 * layer's outputs for a fixed random cotangent {@code c}; a few elements of every trainable
 * parameter are checked.
 */
class StdlibGradCheckTest {
    @TestFactory Stream<DynamicTest> layers() {
        return StdlibLayersTest.ROWS.entrySet().stream().map(e -> dynamicTest(e.getKey(), () -> check(e.getKey(), e.getValue())));
    }

    private static void check(String name, StdlibLayersTest.Row row) {
        var params = new ArrayList<String>();
        var args = new ArrayList<String>();
        var types = new ArrayList<Type.Tensor>();
        for (int i = 0; i < row.inputs().length; i++) {
            String spelled = row.inputs()[i];
            if (!spelled.startsWith("(")) {
                params.add("x" + i + ": " + spelled);
                args.add("x" + i);
                types.add(parse(spelled));
                continue;
            }
            // A tuple (an LSTM's state): one argument per part, passed on as a tuple.
            var parts = spelled.substring(1, spelled.length() - 1).split(", ");
            var names = new ArrayList<String>();
            for (int k = 0; k < parts.length; k++) {
                params.add("x" + i + "_" + k + ": " + parts[k]);
                names.add("x" + i + "_" + k);
                types.add(parse(parts[k]));
            }
            args.add("(" + String.join(", ", names) + ")");
        }
        String program = "use std.nn\nlayer Probe() {\n    l = " + row.ctor() + "\n    forward(" + String.join(", ", params)
                + ") = l(" + String.join(", ", args) + ")\n}\n";
        var c = Compiler.checkString(Repo.path("tests/probe.dl").toString(), program);
        assertEquals("", c.diags().render(), program);
        var job = c.checker().instantiate("Probe", types, c.program().root().source().span(0, 0));
        assertNotNull(job, c.diags().render());
        Graph g = c.checker().graph();

        var rnd = new Random(name.hashCode());
        Map<String, Tensor> inputs = new HashMap<>(), values = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n instanceof Node.Input in) inputs.put(in.name(), random(in.type(), rnd));
            // Buffers (running variances) stay positive, as they are in use.
            if (n instanceof Node.Param p) values.put(p.path(), p.trainable() ? random(p.type(), rnd)
                    : Tensor.build(p.type().dtype(), Tensor.shapeOf(p.type()), _ -> rnd.nextDouble(0.5, 1.5)));
        }
        // loss = sum_k sum(out_k * c_k), built after the forward nodes.
        var b = new Builder(g);
        Node loss = null;
        int k = 0;
        for (Node out : g.outputs()) {
            var ct = g.add(new Node.Input("c" + k, (Type.Tensor) out.type()), null);
            inputs.put("c" + k++, random((Type.Tensor) out.type(), rnd));
            Node term = b.apply("sum", List.of(b.mul(out, ct)), Map.of());
            loss = loss == null ? term : b.add(loss, term);
        }
        var lossGraph = new Graph();
        for (Node n : g.nodes()) lossGraph.add(n, null);
        lossGraph.output(loss);
        var trainable = g.nodes().stream().filter(n -> n instanceof Node.Param p && p.trainable()).map(n -> (Node.Param) n).toList();
        var r = AutodiffPass.run(lossGraph, loss, trainable);
        assertEquals(List.of(), Verifier.verify(r.graph()));
        var opts = Interpreter.Options.f64();
        var grads = Interpreter.run(r.graph(), inputs, values, opts);
        for (int i = 0; i < trainable.size(); i++) {
            String path = trainable.get(i).path();
            Tensor analytic = grads.get(i + 1);
            for (int probe = 0; probe < 4; probe++) {
                int at = rnd.nextInt(analytic.numel());
                double eps = 1e-6;
                double numeric = FiniteDifferences.derivative(lossGraph, inputs, values, FiniteDifferences.Of.PARAM, path, at, eps, Interpreter.Options.f64());
                assertEquals(numeric, analytic.at(at), 1e-5 * Math.max(1, Math.abs(numeric)), name + ": d loss / d " + path + "[" + at + "]");
            }
        }
    }

    private static Type.Tensor parse(String spelled) {
        var dtype = DType.parse(spelled.substring(0, spelled.indexOf('['))).orElseThrow();
        var dims = spelled.substring(spelled.indexOf('[') + 1, spelled.length() - 1).split(",");
        return Type.tensor(dtype, Stream.of(dims).mapToLong(Long::parseLong).toArray());
    }

    /** Floats in [-1, 1); integers (token ids) in [0, 3). */
    private static Tensor random(Type.Tensor t, Random rnd) {
        return Tensor.build(t.dtype(), Tensor.shapeOf(t), _ -> t.dtype().isFloat() ? rnd.nextDouble(-1, 1) : rnd.nextInt(3));
    }
}
