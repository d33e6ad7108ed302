package dev.dlc.types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A tensor dimension: a polynomial with integer coefficients over symbolic atoms, kept
 * in a canonical form so that equal dimensions are equal records ({@code 2*C == C + C}).
 * A division that cannot be carried out symbolically ({@code H / 2} while H is unknown)
 * becomes an opaque {@link Atom.Quot} atom, which is simplified again when its operands
 * become known, and cancelled by multiplication ({@code h * (D/h) == D}).
 */
public record Dim(Map<Mono, Long> terms) {

    /** A symbol (a dimension name) or an unsimplifiable quotient. */
    public sealed interface Atom extends Comparable<Atom> {
        record Sym(String name) implements Atom {
            @Override public String toString() { return name; }
        }
        /**
         * num / den, exact or floor. Both kinds are one value symbolically: an exact division
         * is a floor division that is also checked to have no remainder, and that check
         * happens where the sizes become known. So {@code H/4 == H//4} here.
         */
        record Quot(Dim num, Dim den, boolean floor, String key) implements Atom {
            Quot(Dim num, Dim den, boolean floor) { this(num, den, floor, num.paren() + "/" + den.paren()); }
            @Override public String toString() { return num.paren() + (floor ? "//" : "/") + den.paren(); }
            @Override public boolean equals(Object o) { return o instanceof Quot q && q.num.equals(num) && q.den.equals(den); }
            @Override public int hashCode() { return key.hashCode(); }
        }
        @Override default int compareTo(Atom o) { return sortKey(this).compareTo(sortKey(o)); }
        static String sortKey(Atom a) { return a instanceof Quot q ? q.key() : a.toString(); }
    }

    /** A product of atoms, sorted; the empty product is the constant term. */
    public record Mono(List<Atom> factors, String key) implements Comparable<Mono> {
        /** The product of these atoms; its sort key is kept with it, as dimensions are compared very often. */
        static Mono of(List<Atom> factors) {
            var sorted = factors.size() <= 1 ? List.copyOf(factors) : factors.stream().sorted().toList();
            return new Mono(sorted, String.join("*", sorted.stream().map(Atom::sortKey).toList()));
        }
        static final Mono ONE = Mono.of(List.of());
        Mono times(Mono o) {
            var fs = new ArrayList<>(factors);
            fs.addAll(o.factors);
            return Mono.of(fs);
        }
        @Override public int compareTo(Mono o) {
            // Higher degree first, then by name: `B*T + C + 1`.
            int d = Integer.compare(o.factors.size(), factors.size());
            return d != 0 ? d : key.compareTo(o.key);
        }
        @Override public String toString() {
            return String.join("*", factors.stream().map(Atom::toString).toList());
        }
    }

    public Dim {
        var canon = new TreeMap<Mono, Long>();
        terms.forEach((m, c) -> { if (c != 0) canon.merge(m, c, Long::sum); });
        canon.values().removeIf(c -> c == 0);
        terms = Collections.unmodifiableMap(canon);
    }

    private static final Dim[] SMALL = new Dim[1025];
    static { for (int i = 0; i < SMALL.length; i++) SMALL[i] = new Dim(Map.of(Mono.ONE, (long) i)); }

    public static Dim of(long n) { return n >= 0 && n < SMALL.length ? SMALL[(int) n] : new Dim(Map.of(Mono.ONE, n)); }
    public static Dim sym(String name) { return atom(new Atom.Sym(name)); }
    static Dim atom(Atom a) { return new Dim(Map.of(Mono.of(List.of(a)), 1L)); }

    public boolean isConst() { return terms.isEmpty() || (terms.size() == 1 && terms.containsKey(Mono.ONE)); }
    public long value() {
        if (!isConst()) throw new IllegalStateException("symbolic dimension " + this);
        return terms.getOrDefault(Mono.ONE, 0L);
    }

    /** The symbol names this dimension mentions, including inside quotients. */
    public Set<String> symbols() {
        var out = new TreeSet<String>();
        for (Mono m : terms.keySet()) for (Atom a : m.factors) switch (a) {
            case Atom.Sym s -> out.add(s.name());
            case Atom.Quot q -> { out.addAll(q.num.symbols()); out.addAll(q.den.symbols()); }
        }
        return out;
    }

    public Dim plus(Dim o) {
        if (isConst() && o.isConst()) return of(Math.addExact(value(), o.value()));      // the common case
        return cancelQuotients(sum(o));        // D/2 + D/2 = D
    }

    private Dim sum(Dim o) {
        var t = new TreeMap<>(terms);
        o.terms.forEach((m, c) -> t.merge(m, c, Long::sum));
        return new Dim(t);
    }

    public Dim negate() {
        var t = new TreeMap<Mono, Long>();
        terms.forEach((m, c) -> t.put(m, -c));
        return new Dim(t);
    }

    public Dim minus(Dim o) { return plus(o.negate()); }

    public Dim times(Dim o) {
        if (isConst() && o.isConst()) return of(Math.multiplyExact(value(), o.value()));
        var t = new TreeMap<Mono, Long>();
        for (var a : terms.entrySet())
            for (var b : o.terms.entrySet())
                t.merge(a.getKey().times(b.getKey()), Math.multiplyExact(a.getValue(), b.getValue()), Long::sum);
        return cancelQuotients(new Dim(t));
    }

    /** Exact division: {@code 6 / 4} is an error, {@code (2*C) / 2} is {@code C}, {@code H / 2} stays symbolic. */
    public Dim div(Dim d) { return divide(d, false); }

    /** Floor division, as {@code //} in a dimension expression. */
    public Dim floorDiv(Dim d) { return divide(d, true); }

    private Dim divide(Dim d, boolean floor) {
        if (d.isConst() && d.value() == 0) throw new DimError("division by zero in dimension " + paren() + (floor ? "//" : "/") + "0");
        if (isConst() && d.isConst()) {
            long a = value(), b = d.value();
            if (floor) return of(Math.floorDiv(a, b));
            if (a % b != 0) throw new DimError(a + " is not divisible by " + b);
            return of(a / b);
        }
        if (equals(d)) return of(1);
        if (d.terms.size() == 1) {
            var only = d.terms.entrySet().iterator().next();
            Mono dm = only.getKey();
            long dc = only.getValue();
            var t = new TreeMap<Mono, Long>();
            boolean ok = true;
            for (var e : terms.entrySet()) {
                var rest = without(e.getKey(), dm);
                if (rest == null || e.getValue() % dc != 0) { ok = false; break; }
                t.merge(rest, e.getValue() / dc, Long::sum);
            }
            if (ok) return new Dim(t);
        }
        if (d.isConst()) {
            // (H - 4) / 4 = H/4 - 1: the terms that divide exactly come out of the quotient,
            // which is exact for floor division too, since they are whole numbers.
            long c = d.value();
            var whole = new TreeMap<Mono, Long>();
            var rest = new TreeMap<Mono, Long>();
            terms.forEach((m, k) -> (k % c == 0 ? whole : rest).put(m, k / (k % c == 0 ? c : 1)));
            if (!whole.isEmpty() && !rest.isEmpty()) return new Dim(whole).plus(new Dim(rest).divide(d, floor));
        }
        return atom(new Atom.Quot(this, d, floor));
    }

    /** m with the factors of d removed, or null when m lacks some of them. */
    private static Mono without(Mono m, Mono d) {
        var fs = new ArrayList<>(m.factors);
        for (Atom a : d.factors) if (!fs.remove(a)) return null;
        return Mono.of(fs);
    }

    /** h * (D/h) = D: a quotient whose denominator divides the rest of its term is cancelled. */
    private static Dim cancelQuotients(Dim x) {
        var out = of(0);
        boolean changed = false;
        for (var e : x.terms.entrySet()) {
            Dim term = new Dim(Map.of(e.getKey(), e.getValue()));
            for (Atom a : e.getKey().factors) {
                if (a instanceof Atom.Quot q && !q.floor && q.den.terms.size() == 1) {
                    var den = q.den.terms.entrySet().iterator().next();
                    var others = new ArrayList<>(e.getKey().factors);
                    others.remove(a);
                    var rest = without(Mono.of(others), den.getKey());
                    if (rest != null && e.getValue() % den.getValue() == 0) {
                        term = new Dim(Map.of(rest, e.getValue() / den.getValue())).times(q.num);
                        changed = true;
                        break;
                    }
                }
            }
            out = out.sum(term);
        }
        return changed ? out : x;
    }

    /** Replaces symbols by the dimensions they are bound to; unbound symbols stay. May throw {@link DimError}. */
    public Dim subst(Function<String, Dim> binding) {
        if (isConst()) return this;
        Dim out = of(0);
        for (var e : terms.entrySet()) {
            Dim term = of(e.getValue());
            for (Atom a : e.getKey().factors) {
                Dim v = switch (a) {
                    case Atom.Sym s -> { Dim b = binding.apply(s.name()); yield b == null ? atom(s) : b; }
                    case Atom.Quot q -> q.num.subst(binding).divide(q.den.subst(binding), q.floor);
                };
                term = term.times(v);
            }
            out = out.plus(term);
        }
        return out;
    }

    /** A single unknown symbol with coefficient 1 and no other terms: {@code B}. */
    public String asSymbol() {
        if (terms.size() == 1) {
            var e = terms.entrySet().iterator().next();
            if (e.getValue() == 1 && e.getKey().factors.size() == 1 && e.getKey().factors.getFirst() instanceof Atom.Sym s) return s.name();
        }
        return null;
    }

    String paren() {
        String s = toString();
        return terms.size() <= 1 && (terms.isEmpty() || terms.values().iterator().next() >= 0) && !s.contains("*") ? s : "(" + s + ")";
    }

    @Override public String toString() {
        if (terms.isEmpty()) return "0";
        var sb = new StringBuilder();
        var entries = new ArrayList<>(terms.entrySet());
        entries.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        for (var e : entries) {
            long c = e.getValue();
            String mono = e.getKey().toString();
            if (sb.isEmpty()) { if (c < 0) sb.append('-'); }
            else sb.append(c < 0 ? "-" : "+");
            long a = Math.abs(c);
            if (mono.isEmpty()) sb.append(a);
            else if (a == 1) sb.append(mono);
            else sb.append(a).append('*').append(mono);
        }
        return sb.toString();
    }
}
