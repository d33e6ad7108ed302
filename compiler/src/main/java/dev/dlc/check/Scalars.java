package dev.dlc.check;

import dev.dlc.ast.Expr.BinOp;
import dev.dlc.types.Dim;
import java.util.ArrayList;

/**
 * Arithmetic on config and host scalars. Integers are dimensions (possibly symbolic):
 * {@code D / h} stays an exact symbolic size; a division of known integers that is not
 * exact gives a Float, as host code does. Unknown operands give unknown results of the
 * right type.
 */
final class Scalars {
    private Scalars() {}

    /** The result, or null when the operator is not defined for these operands. */
    static Val binary(BinOp op, Val l, Val r) {
        if (l instanceof Val.Int a && r instanceof Val.Int b) return ints(op, a, b);
        if (isNumber(l) && isNumber(r)) return reals(op, real(l), real(r));
        if (l instanceof Val.Bool a && r instanceof Val.Bool b) return bools(op, a.value(), b.value());
        if (l instanceof Val.Str a && r instanceof Val.Str b) {
            return switch (op) {
                case ADD -> new Val.Str(a.value() + b.value());
                case EQ -> new Val.Bool(a.value().equals(b.value()));
                case NE -> new Val.Bool(!a.value().equals(b.value()));
                default -> null;
            };
        }
        if (l instanceof Val.ListV a && r instanceof Val.ListV b && op == BinOp.ADD) {
            var items = new ArrayList<>(a.items());
            items.addAll(b.items());
            return new Val.ListV(items);
        }
        return null;
    }

    static boolean isNumber(Val v) { return v instanceof Val.Int || v instanceof Val.Real; }

    /** A number as a Double, null when unknown (including symbolic sizes). */
    static Double real(Val v) {
        return switch (v) {
            case Val.Int i -> i.known() ? (double) i.get() : null;
            case Val.Real r -> r.value();
            default -> null;
        };
    }

    private static Val ints(BinOp op, Val.Int a, Val.Int b) {
        Dim x = a.value(), y = b.value();
        if ((op == BinOp.DIV || op == BinOp.FLOORDIV || op == BinOp.MOD) && y != null && y.isConst() && y.value() == 0)
            throw new ArithmeticException("division by zero");
        if (x == null || y == null) {
            return switch (op) {
                case ADD, SUB, MUL, FLOORDIV, MOD -> Val.Int.UNKNOWN;
                case DIV, POW -> Val.Real.UNKNOWN;
                case LT, LE, GT, GE, EQ, NE -> Val.Bool.UNKNOWN;
                default -> null;
            };
        }
        return switch (op) {
            case ADD -> new Val.Int(x.plus(y));
            case SUB -> new Val.Int(x.minus(y));
            case MUL -> new Val.Int(x.times(y));
            case DIV -> {
                if (x.isConst() && y.isConst()) {
                    if (y.value() == 0) throw new ArithmeticException("division by zero");
                    yield x.value() % y.value() == 0 ? Val.Int.of(x.value() / y.value()) : new Val.Real((double) x.value() / y.value());
                }
                yield new Val.Int(x.div(y));
            }
            case FLOORDIV -> {
                if (y.isConst() && y.value() == 0) throw new ArithmeticException("division by zero");
                yield new Val.Int(x.floorDiv(y));
            }
            case MOD -> x.isConst() && y.isConst() ? modulo(x.value(), y.value()) : Val.Int.UNKNOWN;
            case POW -> x.isConst() && y.isConst() ? reals(op, (double) x.value(), (double) y.value()) : Val.Real.UNKNOWN;
            case LT, LE, GT, GE -> x.isConst() && y.isConst() ? compare(op, x.value(), y.value()) : Val.Bool.UNKNOWN;
            case EQ -> x.isConst() && y.isConst() ? new Val.Bool(x.equals(y)) : x.equals(y) ? new Val.Bool(true) : Val.Bool.UNKNOWN;
            case NE -> x.isConst() && y.isConst() ? new Val.Bool(!x.equals(y)) : x.equals(y) ? new Val.Bool(false) : Val.Bool.UNKNOWN;
            default -> null;
        };
    }

    private static Val modulo(long a, long b) {
        if (b == 0) throw new ArithmeticException("division by zero");
        return Val.Int.of(Math.floorMod(a, b));
    }

    private static Val compare(BinOp op, double a, double b) {
        return new Val.Bool(switch (op) {
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            case EQ -> a == b;
            default -> a != b;
        });
    }

    private static Val reals(BinOp op, Double a, Double b) {
        boolean known = a != null && b != null;
        return switch (op) {
            case ADD -> new Val.Real(known ? a + b : null);
            case SUB -> new Val.Real(known ? a - b : null);
            case MUL -> new Val.Real(known ? a * b : null);
            case DIV -> new Val.Real(known ? a / b : null);
            case POW -> new Val.Real(known ? Math.pow(a, b) : null);
            case FLOORDIV -> new Val.Real(known ? Math.floor(a / b) : null);
            case MOD -> new Val.Real(known ? a - Math.floor(a / b) * b : null);
            case LT, LE, GT, GE, EQ, NE -> known ? compare(op, a, b) : Val.Bool.UNKNOWN;
            default -> null;
        };
    }

    private static Val bools(BinOp op, Boolean a, Boolean b) {
        boolean known = a != null && b != null;
        return switch (op) {
            case AND -> Boolean.FALSE.equals(a) || Boolean.FALSE.equals(b) ? new Val.Bool(false) : new Val.Bool(known ? Boolean.TRUE : null);
            case OR -> Boolean.TRUE.equals(a) || Boolean.TRUE.equals(b) ? new Val.Bool(true) : new Val.Bool(known ? Boolean.FALSE : null);
            case EQ -> new Val.Bool(known ? a.equals(b) : null);
            case NE -> new Val.Bool(known ? !a.equals(b) : null);
            default -> null;
        };
    }
}
