package dev.dlc.ir;

import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.Compiler;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DL source → checker → typed IR → interpreter, compared with outputs computed by hand. */
class InterpreterEndToEndTest {
    static final String PROGRAM = """
            layer Dense(out: Int) {
                param w: f32[in, out] = zeros
                param b: f32[out] = zeros
                forward(x: f32[..., in]) -> f32[..., out] = x @ w + b
            }
            layer Probs(out: Int = 2) {
                d = Dense(out)
                forward(x: f32[B, K]) -> f32[B, out] = softmax(d(x), axis = -1)
            }
            layer Tiny() {
                param w: f32[1, 1, 2, 2] = zeros
                forward(x: f32[N, 1, H, W]) = relu(conv2d(x, w, padding = 1, stride = 2))
            }
            fn step(x: f32[B, K], st: (f32[B, K], f32[B, K])) -> (f32[B, K], (f32[B, K], f32[B, K])) {
                let (s, c) = st
                let sn = s + x
                return (sn * c, (sn, c * 2.0))
            }
            layer Acc() {
                forward(x: f32[B, T, K]) -> f32[B, T, K] {
                    let (ys, last) = scan(step, x, (x[:, 0] * 0.0, x[:, 0] * 0.0 + 1.0))
                    return ys
                }
            }
            layer Lin() {
                d = Dense(2)
                forward(x: f32[B, K]) -> f32[B, 2] = d(x)
            }
            """;

    private static Graph graph(String layer, Type.Tensor input) {
        var c = Compiler.checkString("e2e.dl", PROGRAM);
        assertTrue(c.ok(), c.diags().render());
        var job = c.checker().instantiate(layer, List.of(input), c.program().root().source().span(0, 0));
        assertNotNull(job, c.diags().render());
        assertFalse(c.diags().hasErrors(), c.diags().render());
        return c.checker().graph();
    }

    private static Tensor f32(int[] shape, double... v) { return Tensor.of(DType.F32, shape, v); }
    private static int[] s(int... shape) { return shape; }

    /** The parameter paths the graph declares, for a readable failure when the naming changes. */
    private static List<String> params(Graph g) {
        return g.nodes().stream().filter(n -> n instanceof Node.Param).map(n -> ((Node.Param) n).path()).toList();
    }

    @Test void linearLayer() {
        var g = graph("Lin", Type.tensor(DType.F32, 2, 3));
        assertEquals(List.of("d.w", "d.b"), params(g));
        // x = [[1,2,3],[0,1,0]], w = [[1,0],[0,1],[1,1]], b = [0.5,-1]
        // x @ w = [[4,5],[0,1]]; + b = [[4.5,4],[0.5,0]]
        var out = Interpreter.run(g, Map.of("x", f32(s(2, 3), 1, 2, 3, 0, 1, 0)),
                Map.of("d.w", f32(s(3, 2), 1, 0, 0, 1, 1, 1), "d.b", f32(s(2), 0.5, -1)), Interpreter.Options.f32());
        assertEquals(List.of(f32(s(2, 2), 4.5, 4, 0.5, 0)), out);
    }

    @Test void softmaxOfALinearLayer() {
        var g = graph("Probs", Type.tensor(DType.F32, 1, 2));
        // x = [0, 0] makes the logits b = [0, ln 3]; softmax = [1, 3] / 4.
        var out = Interpreter.run(g, Map.of("x", f32(s(1, 2), 0, 0)),
                Map.of("d.w", f32(s(2, 2), 1, 0, 0, 1), "d.b", f32(s(2), 0, Math.log(3))), Interpreter.Options.f64());
        assertArrayEquals(new double[] {0.25, 0.75}, out.getFirst().toArray(), 1e-7);
    }

    @Test void tinyConvolution() {
        var g = graph("Tiny", Type.tensor(DType.F32, 1, 1, 3, 3));
        // x = 1..9 in 3x3, padding 1, stride 2, w = [[1,1],[1,-1]]:
        // windows at rows/cols -1 and 1 of the padded image:
        //   (-1,-1): only x[0,0]=1 under w[1,1]=-1          -> -1 -> relu 0
        //   (-1, 1): x[0,1]=2 (w[1,0]=1), x[0,2]=3 (w[1,1]=-1) -> -1 -> 0
        //   ( 1,-1): x[1,0]=4 (w[0,1]=1), x[2,0]=7 (w[1,1]=-1) -> -3 -> 0
        //   ( 1, 1): 5 + 6 + 8 - 9                           -> 10
        var out = Interpreter.run(g, Map.of("x", Tensor.build(DType.F32, s(1, 1, 3, 3), i -> i + 1)),
                Map.of("w", f32(s(1, 1, 2, 2), 1, 1, 1, -1)), Interpreter.Options.f32());
        assertEquals(List.of(f32(s(1, 1, 2, 2), 0, 0, 0, 10)), out);
    }

    @Test void scanWithATupleState() {
        var g = graph("Acc", Type.tensor(DType.F32, 1, 3, 1));
        // state (s, c) from (0, 1); per step s' = s + x, y = s' * c, c' = 2c. With x = 1, 2, 3:
        // s' = 1, 3, 6 and c = 1, 2, 4, so y = 1, 6, 24.
        var out = Interpreter.run(g, Map.of("x", f32(s(1, 3, 1), 1, 2, 3)), Map.of(), Interpreter.Options.f32());
        assertEquals(List.of(f32(s(1, 3, 1), 1, 6, 24)), out);
    }
}
