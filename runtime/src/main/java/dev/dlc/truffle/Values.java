package dev.dlc.truffle;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import java.math.BigDecimal;

/** Host values as Python shows and compares them: str, repr, truthiness, equality. */
public final class Values {
    private Values() {}

    /** The type name users see in messages. */
    @TruffleBoundary
    public static String typeName(Object v) {
        return switch (v) {
            case Long _ -> "Int";
            case Double _ -> "Float";
            case Boolean _ -> "Bool";
            case String _ -> "String";
            case DlList l -> l.isTuple() ? "tuple" : "list";
            case DlNone _ -> "None";
            case DlGlobal g -> "'" + g.name() + "'";
            default -> v.getClass().getSimpleName();
        };
    }

    /** Python's {@code str}: strings as they are, everything else as {@link #repr}. */
    @TruffleBoundary
    public static String str(Object v) {
        return v instanceof String s ? s : repr(v);
    }

    /** Python's {@code repr}: strings quoted, floats in their shortest round-tripping form. */
    @TruffleBoundary
    public static String repr(Object v) {
        return switch (v) {
            case Long n -> n.toString();
            case Double d -> floatRepr(d);
            case Boolean b -> b ? "True" : "False";
            case String s -> "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
            case DlList l -> {
                var b = new StringBuilder(l.isTuple() ? "(" : "[");
                for (int i = 0; i < l.size(); i++) b.append(i == 0 ? "" : ", ").append(repr(l.get(i)));
                if (l.isTuple() && l.size() == 1) b.append(',');
                yield b.append(l.isTuple() ? ")" : "]").toString();
            }
            case dev.dlc.ops.Tensor t -> tensorRepr(t);
            default -> String.valueOf(v);
        };
    }

    /**
     * A tensor as PyTorch prints one: nested brackets, floats with four decimals, the dtype
     * named unless it is f32; past 6 elements along an axis, the first and last 3 with "...".
     */
    static String tensorRepr(dev.dlc.ops.Tensor t) {
        var b = new StringBuilder("tensor(");
        tensorRows(t, 0, 0, b, 7);
        if (t.dtype() != dev.dlc.types.DType.F32) b.append(", dtype=").append(t.dtype().name().toLowerCase(java.util.Locale.ROOT));
        return b.append(')').toString();
    }

    private static void tensorRows(dev.dlc.ops.Tensor t, int axis, int offset, StringBuilder b, int indent) {
        if (axis == t.rank()) {
            double v = t.at(offset);
            b.append(t.dtype().isFloat() ? String.format(java.util.Locale.ROOT, "%.4f", v) : t.dtype() == dev.dlc.types.DType.BOOL ? (v != 0 ? "True" : "False") : Long.toString((long) v));
            return;
        }
        int n = t.dim(axis), stride = 1;
        for (int a = axis + 1; a < t.rank(); a++) stride *= t.dim(a);
        b.append('[');
        for (int i = 0; i < n; i++) {
            if (n > 6 && i == 3) {
                b.append(axis == t.rank() - 1 ? "..., " : "...,\n" + " ".repeat(indent + axis + 1));
                i = n - 3;
            }
            tensorRows(t, axis + 1, offset + i * stride, b, indent);
            if (i < n - 1) b.append(axis == t.rank() - 1 ? ", " : ",\n" + " ".repeat(indent + axis + 1));
        }
        b.append(']');
    }

    /**
     * Python's float repr: the shortest digits that read back to the same double (Java's
     * {@code Double.toString} finds them too), positional for exponents -4 to 15, otherwise
     * scientific with at least two exponent digits ({@code 1e-05}, {@code 1e+16}).
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        var bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale();      // d = 0.digits * 10^(exp + 1)
        var out = new StringBuilder(d < 0 ? "-" : "");
        if (exp >= -4 && exp < 16) {
            if (exp < 0) out.append("0.").append("0".repeat(-exp - 1)).append(digits);
            else if (digits.length() <= exp + 1) out.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
            else out.append(digits, 0, exp + 1).append('.').append(digits.substring(exp + 1));
        } else {
            out.append(digits.charAt(0));
            if (digits.length() > 1) out.append('.').append(digits.substring(1));
            out.append('e').append(exp < 0 ? '-' : '+').append(Math.abs(exp) < 10 ? "0" : "").append(Math.abs(exp));
        }
        return out.toString();
    }

    /** Python's truthiness, for {@code if}, {@code and}, {@code or} and {@code not}. */
    @TruffleBoundary
    public static boolean truthy(Object v) {
        return switch (v) {
            case Boolean b -> b;
            case Long n -> n != 0;
            case Double d -> d != 0;
            case String s -> !s.isEmpty();
            case DlList l -> l.size() > 0;
            case DlNone _ -> false;
            default -> true;
        };
    }

    /** {@code ==}: numbers by value (1 == 1.0), lists elementwise, everything else by equals. */
    @TruffleBoundary
    public static boolean equal(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) return x.longValue() == y.longValue();
        if ((a instanceof Long || a instanceof Double) && (b instanceof Long || b instanceof Double))
            return ((Number) a).doubleValue() == ((Number) b).doubleValue();
        if (a instanceof DlList x && b instanceof DlList y) {
            if (x.size() != y.size() || x.isTuple() != y.isTuple()) return false;
            for (int i = 0; i < x.size(); i++) if (!equal(x.get(i), y.get(i))) return false;
            return true;
        }
        return a.equals(b);
    }
}
