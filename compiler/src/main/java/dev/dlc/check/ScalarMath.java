package dev.dlc.check;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.Map;

/** Math functions on config and host scalars ({@code sqrt(D)}, {@code cos(pi * t)}), computed when the compiler knows the values. */
final class ScalarMath {
    private ScalarMath() {}

    private static final Map<String, DoubleUnaryOperator> UNARY = Map.of(
            "exp", Math::exp, "log", Math::log, "sqrt", Math::sqrt, "sin", Math::sin, "cos", Math::cos,
            "tanh", Math::tanh, "abs", Math::abs, "sigmoid", x -> 1 / (1 + Math.exp(-x)),
            "floor", Math::floor, "ceil", Math::ceil);

    /** The result, or null when {@code name} is not a scalar function of these arguments. */
    static Val apply(String name, List<Val.Arg> args) {
        if (args.stream().anyMatch(a -> a.keyword() != null)) return null;
        if (args.size() == 1 && UNARY.containsKey(name) && Scalars.isNumber(args.getFirst().value())) {
            Val x = args.getFirst().value();
            if (name.equals("abs") && x instanceof Val.Int i && i.known()) return Val.Int.of(Math.abs(i.get()));
            Double d = Scalars.real(x);
            return new Val.Real(d == null ? null : UNARY.get(name).applyAsDouble(d));
        }
        if (args.size() == 2 && (name.equals("max") || name.equals("min"))) {
            Val a = args.get(0).value(), b = args.get(1).value();
            boolean max = name.equals("max");
            if (a instanceof Val.Int x && b instanceof Val.Int y)
                return x.known() && y.known() ? Val.Int.of(max ? Math.max(x.get(), y.get()) : Math.min(x.get(), y.get())) : Val.Int.UNKNOWN;
            if (Scalars.isNumber(a) && Scalars.isNumber(b)) {
                Double x = Scalars.real(a), y = Scalars.real(b);
                return new Val.Real(x == null || y == null ? null : max ? Math.max(x, y) : Math.min(x, y));
            }
        }
        return null;
    }
}
