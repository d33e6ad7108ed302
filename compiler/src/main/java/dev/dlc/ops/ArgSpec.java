package dev.dlc.ops;

/**
 * One parameter of a primitive's DL signature. {@code defaultValue} is null when the argument
 * is required, {@link #ABSENT} when it is optional and absent unless given ({@code Bound.has}
 * is false), a {@link Ref} when it defaults to another argument's value (max_pool2d's
 * {@code stride = kernel}), and otherwise a Java value of the kind (Long, Double, Boolean,
 * String, List&lt;Long&gt;).
 */
public record ArgSpec(String name, ArgKind kind, Object defaultValue) {

    /** The default of an optional argument that stays absent. */
    public static final Object ABSENT = new Object() {
        @Override public String toString() { return "absent"; }
    };

    /** A default that is the value of an earlier argument of the same call. */
    public record Ref(String name) {}

    public boolean required() { return defaultValue == null; }

    public static ArgSpec req(String name, ArgKind kind) { return new ArgSpec(name, kind, null); }
    public static ArgSpec opt(String name, ArgKind kind, Object dflt) { return new ArgSpec(name, kind, dflt); }
    public static ArgSpec absent(String name, ArgKind kind) { return new ArgSpec(name, kind, ABSENT); }
    public static Ref ref(String name) { return new Ref(name); }

    @Override public String toString() {
        String d = defaultValue == null ? "" : defaultValue instanceof Ref r ? " = " + r.name() : " = " + defaultValue;
        return name + ": " + kind + d;
    }
}
