package dev.dlc.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Fallback;
import com.oracle.truffle.api.dsl.NodeChild;
import com.oracle.truffle.api.dsl.Specialization;
import dev.dlc.truffle.DlException;
import dev.dlc.truffle.DlList;
import dev.dlc.truffle.Values;

/**
 * Arithmetic and comparisons on host scalars, specialized by the Truffle DSL: Int with Int
 * stays Int (overflow is an error, not a wrap), an Int meeting a Float widens (DlTypes), and
 * {@code +} also concatenates Strings and lists. As LANGUAGE.md says for host scalars, {@code /}
 * always gives a Float and {@code //} an Int; {@code //} and {@code %} floor as in Python.
 */
public final class Operators {
    private Operators() {}

    @NodeChild("left") @NodeChild("right")
    public abstract static class Binary extends DlExprNode {
        /** The operator as written, for messages. */
        abstract String symbol();

        @TruffleBoundary
        final DlException typeError(Object a, Object b) {
            return DlException.at(this, "operator " + symbol() + " is not defined for " + Values.typeName(a) + " and " + Values.typeName(b));
        }

        final DlException overflow() { return DlException.at(this, "operator " + symbol() + ": integer overflow"); }

        final DlException divisionByZero() { return DlException.at(this, "operator " + symbol() + ": division by zero"); }
    }

    public abstract static class Add extends Binary {
        @Override String symbol() { return "+"; }

        @Specialization long ints(long a, long b) {
            try {
                return Math.addExact(a, b);
            } catch (ArithmeticException e) {
                throw overflow();
            }
        }

        @Specialization double floats(double a, double b) { return a + b; }

        @Specialization @TruffleBoundary String strings(String a, String b) { return a + b; }

        @Specialization @TruffleBoundary DlList lists(DlList a, DlList b) {
            Object[] items = new Object[a.size() + b.size()];
            System.arraycopy(a.asList().toArray(), 0, items, 0, a.size());
            System.arraycopy(b.asList().toArray(), 0, items, a.size(), b.size());
            return new DlList(items, a.isTuple() && b.isTuple());
        }

        @Fallback Object other(Object a, Object b) { throw typeError(a, b); }
    }

    public abstract static class Sub extends Binary {
        @Override String symbol() { return "-"; }

        @Specialization long ints(long a, long b) {
            try {
                return Math.subtractExact(a, b);
            } catch (ArithmeticException e) {
                throw overflow();
            }
        }

        @Specialization double floats(double a, double b) { return a - b; }

        @Fallback Object other(Object a, Object b) { throw typeError(a, b); }
    }

    public abstract static class Mul extends Binary {
        @Override String symbol() { return "*"; }

        @Specialization long ints(long a, long b) {
            try {
                return Math.multiplyExact(a, b);
            } catch (ArithmeticException e) {
                throw overflow();
            }
        }

        @Specialization double floats(double a, double b) { return a * b; }

        @Fallback Object other(Object a, Object b) { throw typeError(a, b); }
    }

    /** {@code a / b}: a Float, whatever the operands; dividing by zero is an error, as in Python. */
    public abstract static class Div extends Binary {
        @Override String symbol() { return "/"; }

        @Specialization double floats(double a, double b) {
            if (b == 0) throw divisionByZero();
            return a / b;
        }

        @Fallback Object other(Object a, Object b) { throw typeError(a, b); }
    }

    /** {@code a // b}: floor(a / b); an Int for Ints. */
    public abstract static class FloorDiv extends Binary {
        @Override String symbol() { return "//"; }

        @Specialization long ints(long a, long b) {
            if (b == 0) throw divisionByZero();
            if (a == Long.MIN_VALUE && b == -1) throw overflow();
            return Math.floorDiv(a, b);
        }

        @Specialization double floats(double a, double b) {
            if (b == 0) throw divisionByZero();
            return Math.floor(a / b);
        }

        @Fallback Object other(Object a, Object b) { throw typeError(a, b); }
    }

    /** {@code a % b}: the remainder with the sign of b, so that a == (a // b) * b + a % b. */
    public abstract static class Mod extends Binary {
        @Override String symbol() { return "%"; }

        @Specialization long ints(long a, long b) {
            if (b == 0) throw divisionByZero();
            return Math.floorMod(a, b);
        }

        @Specialization double floats(double a, double b) {
            if (b == 0) throw divisionByZero();
            return a - Math.floor(a / b) * b;
        }

        @Fallback Object other(Object a, Object b) { throw typeError(a, b); }
    }

    /** {@code a ** b}: a Float, as the checker types it on host scalars. */
    public abstract static class Pow extends Binary {
        @Override String symbol() { return "**"; }

        @Specialization double floats(double a, double b) { return Math.pow(a, b); }

        @Fallback Object other(Object a, Object b) { throw typeError(a, b); }
    }

    /** {@code <}, {@code <=}, {@code >}, {@code >=} on numbers and on Strings (lexicographic). */
    public abstract static class Compare extends Binary {
        /** The operators, by {@code kind}: an int so that a compiled node folds its test away. */
        private static final String[] SYMBOLS = {"<", "<=", ">", ">="};
        private final int kind;

        protected Compare(String symbol) { this.kind = java.util.Arrays.asList(SYMBOLS).indexOf(symbol); }

        @Override String symbol() { return SYMBOLS[kind]; }

        private boolean result(int sign) {
            if (kind == 0) return sign < 0;
            if (kind == 1) return sign <= 0;
            if (kind == 2) return sign > 0;
            return sign >= 0;
        }

        @Specialization boolean ints(long a, long b) { return result(Long.compare(a, b)); }

        @Specialization boolean floats(double a, double b) {
            // NaN compares false every way, as in Python
            if (Double.isNaN(a) || Double.isNaN(b)) return false;
            return result(a < b ? -1 : a > b ? 1 : 0);
        }

        @Specialization @TruffleBoundary boolean strings(String a, String b) { return result(a.compareTo(b)); }

        @Fallback Object other(Object a, Object b) { throw typeError(a, b); }
    }

    /** {@code ==} and {@code !=}: numbers by value, lists elementwise, never an error. */
    public abstract static class Equal extends Binary {
        private final boolean negated;

        protected Equal(boolean negated) { this.negated = negated; }

        @Override String symbol() { return negated ? "!=" : "=="; }

        @Specialization boolean ints(long a, long b) { return (a == b) != negated; }

        @Specialization boolean floats(double a, double b) { return (a == b) != negated; }

        @Specialization boolean bools(boolean a, boolean b) { return (a == b) != negated; }

        @Fallback boolean other(Object a, Object b) { return Values.equal(a, b) != negated; }
    }

    /** {@code -x}. */
    @NodeChild("operand")
    public abstract static class Neg extends DlExprNode {
        @Specialization long ints(long a) {
            if (a == Long.MIN_VALUE) throw DlException.at(this, "operator -: integer overflow");
            return -a;
        }

        @Specialization double floats(double a) { return -a; }

        @Fallback Object other(Object a) { throw DlException.at(this, "operator - is not defined for " + Values.typeName(a)); }
    }
}
