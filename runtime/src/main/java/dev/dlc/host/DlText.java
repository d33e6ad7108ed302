package dev.dlc.host;

import dev.dlc.truffle.DlGlobal;
import dev.dlc.truffle.DlList;
import java.util.List;
import java.util.Map;

/**
 * Host values written back as DL source. Host code builds models, data sets and optimizers
 * from the program's declarations; the builtins hand them to the checker as the entries of a
 * train block, so they are checked exactly as a train block written by hand would be.
 */
final class DlText {
    private DlText() {}

    /** Thrown for a value that has no DL spelling (a tensor, NaN): the builtin reports it at its call. */
    static final class Unwritable extends RuntimeException {
        Unwritable(String message) { super(message); }
    }

    static String call(String name, List<Object> args, Map<String, Object> kwargs) {
        // `a then b` reaches host code as a call of the keyword; it is written back as written
        if (name.equals("then") && args.size() == 2 && kwargs.isEmpty()) return "(" + of(args.get(0)) + " then " + of(args.get(1)) + ")";
        var b = new StringBuilder(name).append('(');
        String sep = "";
        for (Object a : args) { b.append(sep).append(of(a)); sep = ", "; }
        for (var e : kwargs.entrySet()) { b.append(sep).append(e.getKey()).append(" = ").append(of(e.getValue())); sep = ", "; }
        return b.append(')').toString();
    }

    static String of(Object v) {
        return switch (v) {
            case Long n -> n.toString();
            case Integer n -> n.toString();
            case Double d when Double.isFinite(d) -> d < 0 ? "(" + d + ")" : d.toString();
            case Double d -> throw new Unwritable("cannot use " + d + " as a configuration value");
            case Boolean b -> b.toString();
            case String s -> '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            case DlList l -> {
                var b = new StringBuilder(l.isTuple() ? "(" : "[");
                for (int i = 0; i < l.size(); i++) b.append(i == 0 ? "" : ", ").append(of(l.get(i)));
                yield b.append(l.isTuple() && l.size() == 1 ? ",)" : l.isTuple() ? ")" : "]").toString();
            }
            case DlGlobal g -> g.name();
            case HostCall c -> c.toString();
            case HostModel m -> m.expr();
            case HostData d -> d.expr();
            default -> throw new Unwritable("cannot use a " + dev.dlc.truffle.Values.typeName(v) + " as a configuration value");
        };
    }
}
