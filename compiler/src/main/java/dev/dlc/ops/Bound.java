package dev.dlc.ops;

import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The arguments of one call, bound to their parameter names, with typed access. Values are
 * {@code Type.Tensor}, {@code List<Type.Tensor>}, Long, Double, Boolean, String, Dim,
 * {@code List<Dim>} or {@code List<Long>}; the accessors accept any value of a compatible kind
 * (an Int where a Dim is wanted, an Int where a pair or axes are wanted). {@code op} is the DL
 * name the call used, for messages.
 */
public record Bound(String op, Map<String, Object> values) {
    public Bound { values = Map.copyOf(values); }

    public boolean has(String name) { return values.containsKey(name); }

    public Object get(String name) {
        Object v = values.get(name);
        if (v == null) throw new IllegalArgumentException(op + ": no argument '" + name + "'");
        return v;
    }

    public Type.Tensor tensor(String name) { return (Type.Tensor) get(name); }

    @SuppressWarnings("unchecked")
    public List<Type.Tensor> tensors(String name) { return (List<Type.Tensor>) Sig.accept(ArgKind.TENSOR_LIST, get(name)); }

    public long integer(String name) { return Sig.integer(get(name)); }
    public double real(String name) { return ((Number) Sig.accept(ArgKind.FLOAT, get(name))).doubleValue(); }
    public boolean bool(String name) { return (Boolean) get(name); }
    public String string(String name) { return (String) get(name); }
    public Dim dim(String name) { return Sig.dim(get(name)); }

    @SuppressWarnings("unchecked")
    public List<Dim> dims(String name) { return (List<Dim>) Sig.accept(ArgKind.DIMS, get(name)); }

    @SuppressWarnings("unchecked")
    public List<Long> ints(String name) { return (List<Long>) Sig.accept(ArgKind.INTS, get(name)); }

    /** An Int or [Int, Int] as {@code {first, second}}. */
    public long[] pair(String name) {
        var p = (List<?>) Sig.accept(ArgKind.INT_OR_PAIR, get(name));
        return new long[] {(Long) p.get(0), (Long) p.get(1)};
    }

    /** The axes given, or empty when absent (all axes). */
    @SuppressWarnings("unchecked")
    public Optional<List<Long>> axes(String name) {
        return has(name) ? Optional.of((List<Long>) Sig.accept(ArgKind.AXES, get(name))) : Optional.empty();
    }

    /** A {@link ShapeError} whose message names the op: {@code fail("axis %d ...", 2)}. */
    public ShapeError fail(String format, Object... args) {
        return new ShapeError(op + ": " + String.format(format, args));
    }
}
