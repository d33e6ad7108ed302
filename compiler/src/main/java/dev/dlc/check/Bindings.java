package dev.dlc.check;

import dev.dlc.diag.Span;
import dev.dlc.types.Dim;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dimension names of one signature instance and what they are bound to, with the
 * place each was bound, so that a mismatch can say where the other size came from.
 * All {@code ...} of a signature share one binding, {@link #rest}.
 */
final class Bindings {
    /** A bound dimension and where it was bound ({@code why} completes "bound ... here"). */
    record Bound(Dim value, Span where, String why) {}

    /** The leading dimensions matched by {@code ...}: an unknown run named {@code restName} (or none) then {@code dims}. */
    record Rest(String restName, List<Dim> dims, Span where) {}

    private final Map<String, Bound> dims = new LinkedHashMap<>();
    Rest rest;

    Bindings() {}

    Bindings(Map<String, Bound> seed) { dims.putAll(seed); }

    Bound get(String name) { return dims.get(name); }
    boolean has(String name) { return dims.containsKey(name); }
    void bind(String name, Dim value, Span where, String why) { dims.put(name, new Bound(value, where, why)); }
    Map<String, Bound> all() { return dims; }

    /** The value of a name for substitution into dimension expressions; null if unbound. */
    Dim lookup(String name) {
        Bound b = dims.get(name);
        return b == null ? null : b.value();
    }
}
