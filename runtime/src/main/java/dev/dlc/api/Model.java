package dev.dlc.api;

import dev.dlc.diag.Source;
import dev.dlc.ir.Graph;
import dev.dlc.ir.Interpreter;
import dev.dlc.ir.Node;
import dev.dlc.ops.Tensor;
import dev.dlc.train.Checkpoint;
import dev.dlc.train.CheckpointError;
import dev.dlc.train.Initializers;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model with its weights: a train job's model or a layer built with a config. {@link #predict}
 * runs its forward in inference mode on the reference interpreter; the program for an input
 * shape is built on first use and cached.
 */
public final class Model {
    private final Program program;
    private final String job, layer;
    private final Map<String, Object> config;
    private final long seed;
    private final Map<String, Tensor> weights;
    private final Map<List<Long>, Graph> forwards = new HashMap<>();
    /** One backend per model: a compiled backend keeps each forward it compiled. */
    private final dev.dlc.exec.Backend backend = dev.dlc.exec.Backend.standard();

    private Model(Program program, String job, String layer, Map<String, Object> config, long seed, Map<String, Tensor> weights) {
        this.program = program;
        this.job = job;
        this.layer = layer;
        this.config = config;
        this.seed = seed;
        this.weights = new LinkedHashMap<>(weights);
    }

    static Model ofJob(Program p, String job, Map<String, Tensor> weights) { return new Model(p, job, null, Map.of(), 0, weights); }

    static Model ofLayer(Program p, String layer, Map<String, Object> config, long seed) throws DlException {
        return new Model(p, null, layer, Map.copyOf(config), seed, Map.of());
    }

    /** The forward on one input of the given shape (row-major floats); the result's floats. */
    public float[] predict(float[] input, long... shape) throws DlException {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != input.length) throw new DlException("predict: " + input.length + " values do not fill a shape " + java.util.Arrays.toString(shape));
        var x = Tensor.build(DType.F32, toInts(shape), i -> input[i]);
        var y = run(x);
        var out = new float[y.numel()];
        for (int i = 0; i < out.length; i++) out[i] = (float) y.at(i);
        return out;
    }

    /** The same from native memory: {@code input} holds the row-major f32 values of {@code shape}. */
    public float[] predict(MemorySegment input, long... shape) throws DlException {
        long n = 1;
        for (long d : shape) n *= d;
        if (input.byteSize() < n * Float.BYTES) throw new DlException("predict: the segment holds " + input.byteSize() / Float.BYTES + " floats; shape " + java.util.Arrays.toString(shape) + " needs " + n);
        var values = new float[(int) n];
        MemorySegment.copy(input, ValueLayout.JAVA_FLOAT, 0, values, 0, values.length);
        return predict(values, shape);
    }

    /** The current value of a weight, by its path in the model ({@code 1.w}). */
    public Tensor weight(String path) { return weights.get(path); }

    /** The paths of the weights (parameters and buffers). */
    public List<String> weights() { return List.copyOf(weights.keySet()); }

    /** Saves the weights as a checkpoint directory (safetensors and manifest), atomically. */
    public void save(Path dir) throws DlException {
        try {
            Checkpoint.save(dir, new Checkpoint.State(job != null ? job : layer, program.source(), seed, 0, 0, weights));
        } catch (CheckpointError e) {
            throw new DlException(e.getMessage());
        }
    }

    private Tensor run(Tensor x) throws DlException {
        var shape = java.util.Arrays.stream(x.shape()).mapToObj(i -> (long) i).toList();
        Graph g = forwards.get(shape);
        if (g == null) {
            g = build(Type.tensor(DType.F32, x.shape().length == 0 ? new long[0] : shape.stream().mapToLong(Long::longValue).toArray()));
            forwards.put(shape, g);
        }
        try {
            var out = backend.run(g, Map.of(inputName(g), x), weights);
            return out.getFirst();
        } catch (Interpreter.Error | IllegalArgumentException e) {
            throw new DlException("predict: " + e.getMessage());
        }
    }

    /** The forward for one input type; weights it meets for the first time start from their initializers. */
    private Graph build(Type.Tensor input) throws DlException {
        var checker = program.c.checker();
        String name = job != null ? job : layer;
        var where = new Source("--layer", name).span(0, name.length());
        var applied = job != null ? checker.instantiateJob(job, List.of(input), false) : checker.instantiate(layer, config, List.of(input), where);
        if (applied == null || program.c.diags().hasErrors()) {
            String message = program.c.diags().render().stripTrailing();
            throw new DlException(message.isEmpty() ? name + " cannot be applied to " + input : message);
        }
        Graph g = checker.graph();
        for (Node n : g.nodes())
            if (n instanceof Node.Param p && !weights.containsKey(p.path()))
                weights.put(p.path(), Initializers.initial(checker.initializerOf(p), p.type(), p.path(), seed));
        return g;
    }

    private static String inputName(Graph g) {
        return g.nodes().stream().filter(n -> n instanceof Node.Input).map(n -> ((Node.Input) n).name()).findFirst().orElse("x");
    }

    private static int[] toInts(long[] shape) {
        var out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) out[i] = Math.toIntExact(shape[i]);
        return out;
    }
}
