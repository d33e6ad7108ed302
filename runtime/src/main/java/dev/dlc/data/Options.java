package dev.dlc.data;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A data set's options as the runtime passes them: Long, Double or String values by the
 * option names of std.data. The checker has already filled in defaults and checked types
 * for DL programs; Java callers get the same defaults here and the same kind of messages.
 */
final class Options {
    private final String kind;
    private final Map<String, Object> values;

    Options(String kind, Map<String, Object> values, Set<String> known) throws DataError {
        this.kind = kind;
        this.values = Map.copyOf(values);
        for (String k : values.keySet())
            if (!known.contains(k)) throw new DataError(kind + ": unknown option '" + k + "'; its options are " + String.join(", ", new TreeSet<>(known)));
    }

    /** A positive Int option; {@code dflt} null when it is required. */
    int positive(String name, Integer dflt) throws DataError {
        Object v = get(name, dflt);
        if (!(v instanceof Long || v instanceof Integer) || ((Number) v).longValue() <= 0 || ((Number) v).longValue() > Integer.MAX_VALUE)
            throw new DataError(kind + ": option '" + name + "' expects a positive Int, found " + describe(v));
        return ((Number) v).intValue();
    }

    /** An Int option that may be 0 or negative (min_freq, seed). */
    long integer(String name, long dflt) throws DataError {
        Object v = get(name, dflt);
        if (!(v instanceof Long || v instanceof Integer)) throw new DataError(kind + ": option '" + name + "' expects an Int, found " + describe(v));
        return ((Number) v).longValue();
    }

    /** A Float option; an Int is accepted, as in DL. */
    double real(String name, double dflt) throws DataError {
        Object v = get(name, dflt);
        if (!(v instanceof Number n)) throw new DataError(kind + ": option '" + name + "' expects a Float, found " + describe(v));
        return n.doubleValue();
    }

    String string(String name, String dflt) throws DataError {
        Object v = get(name, dflt);
        if (!(v instanceof String s)) throw new DataError(kind + ": option '" + name + "' expects a String, found " + describe(v));
        return s;
    }

    private Object get(String name, Object dflt) throws DataError {
        Object v = values.getOrDefault(name, dflt);
        if (v == null) throw new DataError(kind + ": missing option '" + name + "'");
        return v;
    }

    private static String describe(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : v.getClass().getSimpleName() + " " + v;
    }
}
