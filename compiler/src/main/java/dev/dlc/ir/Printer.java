package dev.dlc.ir;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Prints a graph with the type of every binder and the `.dl` line it came from:
 * <pre>  %3: f32[2,10] = matmul %1 $0.w            # mlp.dl:12</pre>
 * Inputs are {@code %name}, parameters {@code $path} (their place in the model), other
 * values {@code %N}.
 */
public final class Printer {
    private Printer() {}

    public static String print(Graph g) {
        var out = new StringBuilder();
        print(g, "  ", new HashMap<>(), new int[1], out);
        return out.toString();
    }

    /** A graph at an indentation; a node holding a body graph (scan) prints it nested under itself. */
    private static void print(Graph g, String indent, Map<Node, String> ids, int[] counter, StringBuilder out) {
        for (Node n : g.nodes()) {
            String id = switch (n) {
                case Node.Input in -> "%" + in.name();
                case Node.Param p -> "$" + p.path();
                default -> "%" + counter[0]++;
            };
            ids.put(n, id);
            String rhs = switch (n) {
                case Node.Input _ -> "input";
                case Node.Param p -> p.trainable() ? "param" : "buffer";
                case Node.Const c -> "const " + number(c.value());
                case Node.Apply a -> a.op() + args(a.args(), ids) + attrs(a.attrs());
                case Node.Project p -> "project " + ids.get(p.tuple()) + " " + p.index();
            };
            String line = indent + id + ": " + n.type() + " = " + rhs;
            var span = g.loc(n);
            if (span != null) line = String.format("%-56s # %s:%d", line, fileName(span.source().path()), span.line());
            out.append(line.stripTrailing()).append('\n');
            if (n instanceof Node.Apply a && a.attrs().get("body") instanceof Graph body) {
                out.append(indent).append("  body {\n");
                print(body, indent + "    ", ids, counter, out);
                out.append(indent).append("  }\n");
            }
        }
        out.append(indent).append("return ").append(g.outputs().stream().map(ids::get).collect(Collectors.joining(", "))).append('\n');
    }

    private static String args(List<Node> args, Map<Node, String> ids) {
        return args.stream().map(a -> " " + ids.get(a)).collect(Collectors.joining());
    }

    private static String attrs(Map<String, Object> attrs) {
        if (attrs.isEmpty()) return "";
        return new TreeMap<>(attrs).entrySet().stream().filter(e -> !(e.getValue() instanceof Graph)).map(e -> e.getKey() + "=" + value(e.getValue()))
                .collect(Collectors.joining(", ", " {", "}"));
    }

    private static String value(Object v) {
        return switch (v) {
            case Double d -> number(d);
            case List<?> l -> l.stream().map(Printer::value).collect(Collectors.joining(",", "[", "]"));
            default -> String.valueOf(v);
        };
    }

    public static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
