package dev.dlc.check;

import dev.dlc.ast.DimExpr;
import dev.dlc.ast.TypeExpr;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Span;
import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.DimError;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Matches values against declared types, binding symbolic dimensions (unification), and
 * resolves declared types to static types under a set of bindings.
 */
final class TypeMatch {
    private TypeMatch() {}

    /** Why a value does not fit a declared type. */
    record Mismatch(String message, List<Diagnostic.Note> notes) {
        Mismatch(String message) { this(message, List.of()); }
    }

    static final String REST = "...";

    // ------------------------------------------------------------------ well-formedness

    /**
     * The type of a schedule's hyperparameter that takes another schedule (composition:
     * {@code warmup(into: Schedule, steps: Int)}); it is not a type of tensor code.
     */
    static final String SCHEDULE = "Schedule";

    static boolean isSchedule(TypeExpr te) { return te instanceof TypeExpr.Named n && n.name().name().equals(SCHEDULE); }

    /** Reports malformed type expressions (unknown dtype or type name, misplaced `...`). */
    static void validate(TypeExpr te, Diagnostics diags) { validate(te, diags, false); }

    /** As above; {@code scheduleHyper} when the type is a schedule's hyperparameter, where {@code Schedule} is allowed. */
    static void validate(TypeExpr te, Diagnostics diags, boolean scheduleHyper) {
        switch (te) {
            case TypeExpr.Tensor t -> {
                if (DType.parse(t.dtype().name()).isEmpty())
                    diags.error(t.dtype().span(), "unknown dtype '" + t.dtype().name() + "'; expected one of f32 f16 bf16 f64 i32 i64 bool");
                for (int i = 0; i < t.dims().size(); i++) {
                    DimExpr d = t.dims().get(i);
                    if (d instanceof DimExpr.Ellipsis && i != 0)
                        diags.error(d.span(), "'...' may only stand for leading dimensions: write it first");
                    if (!(d instanceof DimExpr.Ellipsis)) validateDim(d, diags);
                }
            }
            case TypeExpr.Named n when isSchedule(n) -> {
                if (!scheduleHyper)
                    diags.error(n.name().span(), "the type Schedule is only for a schedule's hyperparameters (schedule warmup(into: Schedule, steps: Int)(step: Int) -> Float)");
            }
            case TypeExpr.Named n -> {
                if (scalar(n.name().name()) == null)
                    diags.error(n.name().span(), DType.parse(n.name().name()).isPresent()
                            ? "a tensor type needs its dimensions: " + n.name().name() + "[...] (write " + n.name().name() + "[] for a scalar tensor)"
                            : "unknown type '" + n.name().name() + "'; expected Int, Float, Bool, String or a tensor type such as f32[B, 10]");
            }
            case TypeExpr.Tuple t -> t.parts().forEach(p -> validate(p, diags, scheduleHyper));
            case TypeExpr.ListOf l -> validate(l.element(), diags, scheduleHyper);
        }
    }

    private static void validateDim(DimExpr d, Diagnostics diags) {
        switch (d) {
            case DimExpr.Ellipsis e -> diags.error(e.span(), "'...' cannot be part of a dimension expression");
            case DimExpr.Bin b -> {
                validateDim(b.left(), diags);
                validateDim(b.right(), diags);
                if ((b.op().equals("/") || b.op().equals("//")) && b.right() instanceof DimExpr.Lit l && l.value() == 0)
                    diags.error(b.span(), "division by zero in the dimension " + text(b));
            }
            case DimExpr.Lit l -> { if (l.value() < 0) diags.error(l.span(), "a dimension cannot be negative"); }
            case DimExpr.Name n -> {}
        }
    }

    static Type.Scalar scalar(String name) {
        for (Type.Scalar s : Type.Scalar.values()) if (s.spelling.equals(name)) return s;
        return null;
    }

    // ------------------------------------------------------------------ resolution

    /**
     * The static type a declaration denotes under {@code b}. Unbound dimension names become
     * rigid symbols of the same name (and are bound to them), as for a generic check.
     */
    static Type resolveFresh(TypeExpr te, Bindings b, Span where) {
        Type t = switch (te) {
            case TypeExpr.Tensor t2 -> {
                DType dt = DType.parse(t2.dtype().name()).orElse(DType.F32);
                String rest = null;
                var dims = new ArrayList<Dim>();
                for (DimExpr d : t2.dims()) {
                    if (d instanceof DimExpr.Ellipsis) {
                        if (b.rest == null) b.rest = new Bindings.Rest(REST, List.of(), where);
                        rest = b.rest.restName();
                        dims.addAll(b.rest.dims());
                    } else {
                        for (String n : names(d)) if (!b.has(n)) b.bind(n, Dim.sym(n), d.span(), "symbolically");
                        dims.add(eval(d, b));
                    }
                }
                yield new Type.Tensor(dt, new Shape(rest, dims));
            }
            case TypeExpr.Named n -> { var s = scalar(n.name().name()); yield s == null ? Type.Scalar.INT : s; }
            case TypeExpr.Tuple tu -> new Type.Tuple(tu.parts().stream().map(p -> resolveFresh(p, b, where)).toList());
            case TypeExpr.ListOf l -> new Type.ListOf(resolveFresh(l.element(), b, where));
        };
        return t;
    }

    /** Dimension names a dimension expression mentions, left to right. */
    static List<String> names(DimExpr d) {
        var out = new ArrayList<String>();
        collect(d, out);
        return out;
    }

    private static void collect(DimExpr d, List<String> out) {
        switch (d) {
            case DimExpr.Name n -> { if (!out.contains(n.ident().name())) out.add(n.ident().name()); }
            case DimExpr.Bin b -> { collect(b.left(), out); collect(b.right(), out); }
            default -> {}
        }
    }

    /** Evaluates a dimension expression; unbound names stay symbolic. Throws DimError on inexact division. */
    static Dim eval(DimExpr d, Bindings b) {
        return switch (d) {
            case DimExpr.Lit l -> Dim.of(l.value());
            case DimExpr.Name n -> { Dim v = b.lookup(n.ident().name()); yield v == null ? Dim.sym(n.ident().name()) : v; }
            case DimExpr.Bin bin -> {
                Dim l = eval(bin.left(), b), r = eval(bin.right(), b);
                yield switch (bin.op()) {
                    case "+" -> l.plus(r);
                    case "-" -> l.minus(r);
                    case "*" -> l.times(r);
                    case "/" -> l.div(r);
                    default -> l.floorDiv(r);
                };
            }
            case DimExpr.Ellipsis e -> throw new DimError("'...' is not a dimension");
        };
    }

    // ------------------------------------------------------------------ matching

    /** Matches a tensor type against a declaration, binding dimension names; null when it fits. */
    static Mismatch matchTensor(TypeExpr.Tensor te, Type.Tensor actual, Bindings b, Span where) {
        DType want = DType.parse(te.dtype().name()).orElse(null);
        if (want == null) return null;          // reported by validate()
        if (want != actual.dtype())
            return new Mismatch("expected " + show(te, b) + ", found " + actual + " (dtype " + actual.dtype() + " is not " + want + ")");
        boolean ellipsis = !te.dims().isEmpty() && te.dims().getFirst() instanceof DimExpr.Ellipsis;
        List<DimExpr> fixed = ellipsis ? te.dims().subList(1, te.dims().size()) : te.dims();
        Shape s = actual.shape();
        int k = fixed.size();
        if (ellipsis) {
            if (s.rank() < k)
                return new Mismatch("expected " + show(te, b) + " (at least " + k + " dimensions), found " + actual);
            var lead = s.dims().subList(0, s.rank() - k);
            if (b.rest == null) b.rest = new Bindings.Rest(s.rest(), List.copyOf(lead), where);
            else if (!java.util.Objects.equals(b.rest.restName(), s.rest()) || !b.rest.dims().equals(lead))
                return new Mismatch("expected " + show(te, b) + ", found " + actual + ": the leading dimensions (...) differ",
                        List.of(Diagnostics.note(b.rest.where(), "'...' was bound to " + restText(b.rest) + " here")));
        } else {
            if (s.hasRest())
                return new Mismatch("expected " + show(te, b) + " (" + k + " dimensions), found " + actual + " whose rank is not known");
            if (s.rank() != k)
                return new Mismatch("expected " + show(te, b) + " (" + k + " dimension" + (k == 1 ? "" : "s") + "), found " + actual
                        + " (" + s.rank() + ")");
        }
        int offset = s.rank() - k;
        for (int i = 0; i < k; i++) {
            String shown = show(te, b);
            Mismatch m = matchDim(fixed.get(i), s.dim(offset + i), b, where);
            if (m != null) return new Mismatch("expected " + shown + ", found " + actual + ": " + m.message(), m.notes());
        }
        return null;
    }

    private static String restText(Bindings.Rest r) {
        var parts = new ArrayList<String>();
        if (r.restName() != null) parts.add("...");
        r.dims().forEach(d -> parts.add(d.toString()));
        return "[" + String.join(",", parts) + "]";
    }

    /** Matches one dimension, binding a name on first sight and solving linear expressions with one unknown. */
    static Mismatch matchDim(DimExpr de, Dim actual, Bindings b, Span where) {
        if (de instanceof DimExpr.Name n) {
            String name = n.ident().name();
            Bindings.Bound bound = b.get(name);
            if (bound == null) { b.bind(name, actual, where, "to " + actual); return null; }
            if (bound.value().equals(actual)) return null;
            // A symbol bound to itself (a generic check) has no other value to show.
            boolean self = name.equals(bound.value().toString());
            var notes = bound.where() == null ? List.<Diagnostic.Note>of()
                    : List.of(Diagnostics.note(bound.where(), "dimension " + name + " was bound" + (self ? "" : " to " + bound.value()) + " here"));
            return new Mismatch(self ? "dimension " + name + " cannot be " + actual
                    : "dimension " + name + " is " + bound.value() + " but here it is " + actual, notes);
        }
        var unbound = names(de).stream().filter(x -> !b.has(x)).toList();
        try {
            if (unbound.isEmpty()) {
                Dim want = eval(de, b);
                if (want.equals(actual)) return null;
                return new Mismatch(de instanceof DimExpr.Lit ? "size " + want + " expected, found " + actual
                        : "dimension " + text(de) + " is " + want + " but here it is " + actual);
            }
            if (unbound.size() == 1) {
                Dim solved = solve(de, unbound.getFirst(), actual, b);
                if (solved != null) {
                    b.bind(unbound.getFirst(), solved, where, "to " + solved);
                    Dim check = eval(de, b);
                    if (check.equals(actual)) return null;
                    return new Mismatch("dimension " + text(de) + " cannot be " + actual);
                }
            }
            return new Mismatch("cannot infer " + String.join(", ", unbound) + " from " + text(de) + " = " + actual);
        } catch (DimError e) {
            return new Mismatch("dimension " + text(de) + " cannot be " + actual + ": " + e.getMessage());
        }
    }

    /** Solves {@code de = target} for the one unbound name {@code x}, when x occurs once. */
    private static Dim solve(DimExpr de, String x, Dim target, Bindings b) {
        return switch (de) {
            case DimExpr.Name n -> n.ident().name().equals(x) ? target : null;
            case DimExpr.Bin bin -> {
                boolean inLeft = names(bin.left()).contains(x), inRight = names(bin.right()).contains(x);
                if (inLeft == inRight) yield null;
                DimExpr side = inLeft ? bin.left() : bin.right();
                Dim other = eval(inLeft ? bin.right() : bin.left(), b);
                Dim t = switch (bin.op()) {
                    case "+" -> target.minus(other);
                    case "-" -> inLeft ? target.plus(other) : other.minus(target);
                    case "*" -> target.div(other);
                    case "/" -> inLeft ? target.times(other) : other.div(target);
                    default -> null;
                };
                yield t == null ? null : solve(side, x, t, b);
            }
            default -> null;
        };
    }

    // ------------------------------------------------------------------ printing

    /** A declared type with the dimensions bound so far filled in: {@code f32[B,784]}. */
    static String show(TypeExpr te, Bindings b) {
        return switch (te) {
            case TypeExpr.Tensor t -> t.dtype().name() + t.dims().stream().map(d -> showDim(d, b)).filter(x -> !x.isEmpty())
                    .collect(Collectors.joining(",", "[", "]"));
            case TypeExpr.Named n -> n.name().name();
            case TypeExpr.Tuple t -> t.parts().stream().map(p -> show(p, b)).collect(Collectors.joining(", ", "(", ")"));
            case TypeExpr.ListOf l -> "[" + show(l.element(), b) + "]";
        } + (te.optional() ? "?" : "");
    }

    private static String showDim(DimExpr d, Bindings b) {
        if (d instanceof DimExpr.Ellipsis) {
            if (b.rest == null) return "...";
            String r = restText(b.rest);
            return r.length() > 2 ? r.substring(1, r.length() - 1) : "";
        }
        try {
            if (names(d).stream().allMatch(b::has)) return eval(d, b).toString();
        } catch (DimError e) { /* fall through to the text */ }
        return text(d);
    }

    /** A dimension expression as written, with the parentheses its precedence needs. */
    static String text(DimExpr d) {
        return switch (d) {
            case DimExpr.Ellipsis e -> "...";
            case DimExpr.Lit l -> Long.toString(l.value());
            case DimExpr.Name n -> n.ident().name();
            case DimExpr.Bin bin -> {
                int p = prec(bin.op());
                String l = bin.left() instanceof DimExpr.Bin lb && prec(lb.op()) < p ? "(" + text(lb) + ")" : text(bin.left());
                String r = bin.right() instanceof DimExpr.Bin rb && (prec(rb.op()) < p || (prec(rb.op()) == p && !bin.op().equals("+") && !bin.op().equals("*")))
                        ? "(" + text(rb) + ")" : text(bin.right());
                yield l + bin.op() + r;
            }
        };
    }

    private static int prec(String op) { return op.equals("+") || op.equals("-") ? 1 : 2; }
}
