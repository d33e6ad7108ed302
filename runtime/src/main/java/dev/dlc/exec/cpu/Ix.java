package dev.dlc.exec.cpu;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * An index expression of generated code: affine in the loop variables ({@code c + Σ k·v}),
 * which the generator can inspect (is the innermost variable's coefficient 1, so a vector load
 * is contiguous?), or opaque Java (a reshape's division, an index read from a tensor) with the
 * variables it uses.
 */
record Ix(long c, Map<String, Long> terms, String opaque, Set<String> vars) {

    static Ix of(long c) { return new Ix(c, Map.of(), null, Set.of()); }

    static Ix var(String v) { return new Ix(0, Map.of(v, 1L), null, Set.of(v)); }

    static Ix opaque(String code, Set<String> vars) { return new Ix(0, Map.of(), code, Set.copyOf(vars)); }

    boolean affine() { return opaque == null; }

    boolean isConst() { return affine() && terms.isEmpty(); }

    /** The coefficient of {@code v} (0 when absent); only for affine indices. */
    long coef(String v) { return terms.getOrDefault(v, 0L); }

    Ix plus(Ix o) {
        if (o.isConst() && o.c == 0) return this;
        if (isConst() && c == 0) return o;
        if (!affine() || !o.affine()) return opaque("(" + code() + " + " + o.code() + ")", union(vars, o.vars));
        var t = new LinkedHashMap<>(terms);
        o.terms.forEach((v, k) -> t.merge(v, k, Long::sum));
        t.values().removeIf(k -> k == 0);
        return new Ix(c + o.c, t, null, t.keySet());
    }

    Ix times(long k) {
        if (k == 0) return of(0);
        if (k == 1) return this;
        if (!affine()) return opaque("(" + code() + " * " + k + ")", vars);
        var t = new LinkedHashMap<String, Long>();
        terms.forEach((v, x) -> t.put(v, x * k));
        return new Ix(c * k, t, null, t.keySet());
    }

    /** The Java int expression. */
    String code() {
        if (!affine()) return opaque;
        var sb = new StringBuilder();
        terms.forEach((v, k) -> {
            if (!sb.isEmpty()) sb.append(" + ");
            sb.append(k == 1 ? v : k + " * " + v);
        });
        if (c != 0 || sb.isEmpty()) sb.append(sb.isEmpty() ? "" : " + ").append(c);
        return sb.toString();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        var s = new LinkedHashSet<>(a);
        s.addAll(b);
        return s;
    }
}
