package dev.dlc.ops;

import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The DL-level signature of a primitive: ordered parameters with kinds and defaults. */
public record Sig(List<ArgSpec> args) {
    public Sig { args = List.copyOf(args); }

    public static Sig of(ArgSpec... args) { return new Sig(List.of(args)); }

    /**
     * Binds a call's arguments (values as in {@link Bound}): positional ones in order, then
     * named ones; fills defaults, resolving {@link ArgSpec.Ref}s, then adds {@code fixed}
     * (attributes implied by the name, like a cast's dtype). Fails on an unknown, repeated,
     * missing or ill-kinded argument.
     */
    public Bound bind(String op, List<?> positional, Map<String, ?> named, Map<String, Object> fixed) throws ShapeError {
        if (positional.size() > args.size())
            throw new ShapeError(op + ": expected at most " + args.size() + " arguments, found " + positional.size());
        var given = new LinkedHashMap<String, Object>();
        for (int i = 0; i < positional.size(); i++) given.put(args.get(i).name(), positional.get(i));
        for (var e : named.entrySet()) {
            if (args.stream().noneMatch(a -> a.name().equals(e.getKey())))
                throw new ShapeError(op + ": unexpected argument '" + e.getKey() + "'");
            if (given.put(e.getKey(), e.getValue()) != null)
                throw new ShapeError(op + ": argument '" + e.getKey() + "' given twice");
        }
        var out = new LinkedHashMap<String, Object>();
        for (ArgSpec a : args) {
            Object v = given.get(a.name());
            if (v == null) {
                if (a.required()) throw new ShapeError(op + ": missing argument '" + a.name() + "'");
                if (a.defaultValue() == ArgSpec.ABSENT) continue;
                v = a.defaultValue() instanceof ArgSpec.Ref r ? out.get(r.name()) : a.defaultValue();
                if (v == null) continue;
            }
            Object n = accept(a.kind(), v);
            if (n == null)
                throw new ShapeError(op + ": argument '" + a.name() + "' expects " + a.kind().description + ", found " + describe(v));
            out.put(a.name(), n);
        }
        out.putAll(fixed);
        return new Bound(op, out);
    }

    /** The value normalized for its kind (see {@link ArgKind}), or null when the kind does not accept it. */
    static Object accept(ArgKind kind, Object v) {
        return switch (kind) {
            case TENSOR -> v instanceof Type.Tensor ? v : null;
            case TENSOR_LIST -> v instanceof List<?> l && l.stream().allMatch(x -> x instanceof Type.Tensor) ? List.copyOf(l) : null;
            case INT -> integer(v);
            case FLOAT -> v instanceof Double ? v : v instanceof Float f ? (double) f : integer(v) instanceof Long l ? (Object) l.doubleValue() : null;
            case BOOL -> v instanceof Boolean ? v : null;
            case STRING -> v instanceof String ? v : null;
            case DIM -> dim(v);
            case DIMS -> listOf(v, Sig::dim);
            case INT_OR_PAIR -> integer(v) instanceof Long l ? List.of(l, l)
                    : listOf(v, Sig::integer) instanceof List<?> p && p.size() == 2 ? p : null;
            case AXES -> integer(v) instanceof Long l ? List.of(l) : listOf(v, Sig::integer);
            case INT_OR_INTS -> dim(v) instanceof Dim d ? d : listOf(v, Sig::dim);
            case INTS -> listOf(v, Sig::integer);
        };
    }

    static Long integer(Object v) {
        return switch (v) {
            case Long l -> l;
            case Integer i -> (long) i;
            case Dim d when d.isConst() -> d.value();
            default -> null;
        };
    }

    static Dim dim(Object v) {
        return v instanceof Dim d ? d : integer(v) instanceof Long l ? Dim.of(l) : null;
    }

    private static <T> List<T> listOf(Object v, java.util.function.Function<Object, T> each) {
        if (!(v instanceof List<?> l)) return null;
        var out = new ArrayList<T>();
        for (Object x : l) {
            T t = each.apply(x);
            if (t == null) return null;
            out.add(t);
        }
        return List.copyOf(out);
    }

    static String describe(Object v) {
        return switch (v) {
            case Type t -> t.toString();
            case Long _, Integer _ -> "Int " + v;
            case Double _ -> "Float " + v;
            case Boolean _ -> "Bool " + v;
            case String s -> "String \"" + s + "\"";
            case Dim d -> "dimension " + d;
            case List<?> l -> l.stream().map(Sig::describe).collect(Collectors.joining(", ", "[", "]"));
            default -> String.valueOf(v);
        };
    }

    @Override public String toString() {
        return args.stream().map(ArgSpec::toString).collect(Collectors.joining(", ", "(", ")"));
    }
}
