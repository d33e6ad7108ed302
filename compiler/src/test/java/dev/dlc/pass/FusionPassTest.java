package dev.dlc.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ir.Builder;
import dev.dlc.ir.FusedProgram;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Kernel;
import dev.dlc.ir.KernelInterpreter;
import dev.dlc.ir.Node;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fusion rules one at a time, on graphs built by hand; each fused program also runs as the graph does. */
class FusionPassTest {
    private final Graph g = new Graph();
    private final Builder b = new Builder(g);

    private Node input(String name, long... dims) { return g.add(new Node.Input(name, Type.tensor(DType.F32, dims)), null); }
    private Node param(String path, long... dims) { return g.add(new Node.Param(path, Type.tensor(DType.F32, dims), true), null); }

    private Node reduce(String op, Node x, long axis) {
        return b.apply(op, List.of(x), Map.of("axis", List.of(axis), "keepdims", true));
    }

    /** Fuses the graph, checks it, runs it both ways on random values and returns it. */
    private FusedProgram fuse() {
        var p = FusionPass.run(g);
        assertEquals(List.of(), p.verify());
        assertEquals(List.of(), MemoryPlan.of(p).verify());
        var rnd = new Random(1);
        var inputs = new HashMap<String, Tensor>();
        var params = new HashMap<String, Tensor>();
        for (Node n : g.nodes()) {
            if (n instanceof Node.Input in) inputs.put(in.name(), random(in.type(), rnd));
            if (n instanceof Node.Param pa) params.put(pa.path(), random(pa.type(), rnd));
        }
        var expected = Interpreter.run(g, inputs, params, Interpreter.Options.f64());
        var actual = KernelInterpreter.run(p, inputs, params, Interpreter.Options.f64());
        for (int i = 0; i < expected.size(); i++)
            for (int k = 0; k < expected.get(i).numel(); k++) assertEquals(expected.get(i).at(k), actual.get(i).at(k), 1e-12);
        return p;
    }

    private static Tensor random(Type.Tensor t, Random rnd) {
        return Tensor.build(t.dtype(), Tensor.shapeOf(t), _ -> rnd.nextDouble() * 2 - 1);
    }

    private static Kernel kernelOf(FusedProgram p, Node n) {
        return p.kernels().stream().filter(k -> k.ops().contains(n)).findFirst().orElseThrow();
    }

    @Test void rowReductionsOverOneAxisShareAKernelButNotOverTwo() {
        var x = input("x", 3, 4);
        var max = reduce("max", x, 1);
        var sumRows = reduce("sum", x, 1);
        // Two reductions over the rows of x and their use broadcast back: one kernel ...
        var rows = b.div(b.sub(x, max), sumRows);
        // ... but a reduction over the columns of that space is another row shape.
        var sumCols = reduce("sum", rows, 0);
        g.output(rows);
        g.output(b.sub(x, sumCols));
        var p = fuse();
        assertEquals(kernelOf(p, max), kernelOf(p, sumRows));
        assertEquals(kernelOf(p, max), kernelOf(p, rows));
        assertNotEquals(kernelOf(p, rows).id(), kernelOf(p, sumCols).id());

        var h = new Graph();
        var hb = new Builder(h);
        var y = h.add(new Node.Input("y", Type.tensor(DType.F32, 3, 4)), null);
        var r = hb.div(y, hb.apply("sum", List.of(y), Map.of("axis", List.of(1L), "keepdims", true)));
        h.output(hb.sub(r, hb.apply("sum", List.of(r), Map.of("axis", List.of(0L), "keepdims", true))));
        var q = FusionPass.run(h);
        assertEquals(List.of(), q.verify());
        // the column sum gets a kernel of its own: fused with its broadcast back, the loop over
        // rows (outside the columns) would recompute it for every row
        assertEquals(3, q.kernels().size());
        assertTrue(q.unfused().stream().anyMatch(u -> u.why().contains("recomputed for each of its values")), q.unfused().toString());
    }

    @Test void rowReductionsOverTrailingAxesShareTheKernelOfTheirBroadcast() {
        var x = input("x", 2, 3, 4, 5);
        var mean = b.apply("sum", List.of(x), Map.of("axis", List.of(2L, 3L), "keepdims", true));
        var centered = b.sub(x, mean);
        g.output(centered);
        var p = fuse();
        assertEquals(kernelOf(p, mean), kernelOf(p, centered));
        assertEquals(1, p.kernels().size(), p.kernels().toString());
    }

    @Test void independentUpdatesOfEveryShapeBecomeOneHorizontalKernel() {
        var w = param("w", 3, 2);
        var v = param("v", 5);
        var gw = input("gw", 3, 2);
        var gv = input("gv", 5);
        g.output(b.sub(w, b.mul(0.1, gw)));
        g.output(b.sub(v, b.mul(0.1, gv)));
        var p = fuse();
        assertEquals(1, p.kernels().size(), p.kernels().toString());
        var k = p.kernels().getFirst();
        assertEquals(Kernel.Kind.HORIZONTAL, k.kind());
        assertEquals(List.of(Shape.of(3, 2), Shape.of(5)), k.parts().stream().map(Kernel.Part::space).toList());
        assertEquals(Shape.of(11), k.space(), "one index space of 6 + 5 elements");
    }

    @Test void aBroadcastReadByTwoKernelsIsRecomputedAndAnExpIsStored() {
        var x = input("x", 4);
        var y = input("y", 3, 4);
        var bx = b.apply("broadcast", List.of(x), Map.of("shape", List.of(3L, 4L)));
        var e = b.apply("exp", y);
        g.output(b.apply("matmul", b.mul(bx, e), b.apply("transpose", e)));
        g.output(b.add(bx, e));
        var p = fuse();
        // bx sits in both kernels that read it; exp is computed once, stored, and read twice.
        assertEquals(2, p.kernels().stream().filter(k -> k.ops().contains(bx)).count());
        assertEquals(1, p.kernels().stream().filter(k -> k.ops().contains(e)).count());
        assertTrue(kernelOf(p, e).outputs().contains(e));
    }

    @Test void aReshapeReadByAMatmulIsAViewAndAnEpilogueContinuesThroughOne() {
        var x = input("x", 2, 3, 2);
        var w = param("w", 6, 4);
        var flat = b.apply("reshape", List.of(x), Map.of("shape", List.of(2L, 6L)));
        var mm = b.apply("matmul", flat, w);
        var out = b.apply("relu", b.apply("reshape", List.of(mm), Map.of("shape", List.of(8L))));
        g.output(out);
        var p = fuse();
        assertEquals(Kernel.Kind.VIEW, kernelOf(p, flat).kind());
        assertEquals(kernelOf(p, mm), kernelOf(p, out), "matmul, reshape and relu in one kernel");
        assertEquals(Kernel.Kind.OPAQUE, kernelOf(p, out).kind());
        var plan = MemoryPlan.of(p);
        assertEquals(1, plan.buffers().size(), "the view has no buffer of its own, the input none in the arena");
    }
}
