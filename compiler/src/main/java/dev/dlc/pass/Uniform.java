package dev.dlc.pass;

import dev.dlc.ir.Builder;
import dev.dlc.ir.Node;
import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Tensors known at compile time to hold one value everywhere: a scalar constant, zeros, ones,
 * full, and a constant moved around (broadcast, reshaped). The simplifier and the constant
 * folder read them through here, so {@code x + zeros(...)} and {@code x + 0} are one case.
 */
final class Uniform {
    private Uniform() {}

    /**
     * The value every element of {@code n} holds, rounded as its dtype rounds integers; empty
     * when not known, and for a {@code Const(NaN)}, which means "known only at run time".
     */
    static OptionalDouble value(Node n) {
        if (!(n.type() instanceof Type.Tensor t)) return OptionalDouble.empty();
        OptionalDouble v = switch (n) {
            case Node.Const c -> OptionalDouble.of(c.value());
            case Node.Apply a when a.args().isEmpty() -> switch (a.op()) {
                case "zeros" -> OptionalDouble.of(0);
                case "ones" -> OptionalDouble.of(1);
                case "full" -> a.attrs().get("value") instanceof Number x ? OptionalDouble.of(x.doubleValue()) : OptionalDouble.empty();
                default -> OptionalDouble.empty();
            };
            // Moving a uniform tensor around keeps it uniform.
            case Node.Apply a when a.args().size() == 1 && MOVES.contains(a.op()) -> value(a.args().getFirst());
            default -> OptionalDouble.empty();
        };
        if (v.isEmpty() || Double.isNaN(v.getAsDouble())) return OptionalDouble.empty();
        return OptionalDouble.of(t.dtype().isFloat() ? v.getAsDouble() : Tensor.fit(t.dtype(), v.getAsDouble()));
    }

    private static final Set<String> MOVES = Set.of("broadcast", "reshape", "flatten", "transpose", "permute");

    static boolean is(Node n, double v) {
        var u = value(n);
        return u.isPresent() && u.getAsDouble() == v;
    }

    /**
     * The canonical form of a uniform tensor of type {@code t}: a scalar constant, broadcast
     * when {@code t} has axes. {@code b} places the new nodes.
     */
    static Node of(double v, Node like, Builder b) {
        var t = Builder.tensor(like);
        return b.broadcast(b.constant(v, like), t.shape());
    }

    /** Whether {@code n} is already a canonical uniform tensor (folding it again would change nothing). */
    static boolean canonical(Node n) {
        return switch (n) {
            case Node.Const _ -> true;
            case Node.Apply a when a.op().equals("broadcast") -> a.args().getFirst() instanceof Node.Const;
            case Node.Apply a when a.args().isEmpty() -> SOURCES.contains(a.op()) && ((Type.Tensor) a.type()).rank() > 0;
            default -> false;
        };
    }

    private static final Set<String> SOURCES = Set.of("zeros", "ones", "full");
}
