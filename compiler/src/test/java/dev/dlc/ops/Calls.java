package dev.dlc.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** Test helpers: parse {@code f32[...,B,784]}, call a primitive by DL name, get its type or error. */
final class Calls {
    private Calls() {}

    record Named(String name, Object value) {}

    static Named kw(String name, Object value) { return new Named(name, value); }

    /** {@code f32[B,784]}, {@code i32[]}, {@code f32[...,10]} (rest named "R"), {@code f32[2*C,H]}. */
    static Type.Tensor t(String s) {
        int open = s.indexOf('[');
        DType d = DType.parse(s.substring(0, open)).orElseThrow();
        String body = s.substring(open + 1, s.length() - 1);
        String rest = null;
        var dims = new ArrayList<Dim>();
        if (!body.isEmpty()) for (String part : body.split(",")) {
            if (part.equals("...")) { rest = "R"; continue; }
            dims.add(dim(part));
        }
        return new Type.Tensor(d, new Shape(rest, dims));
    }

    static Dim dim(String s) {
        Dim out = Dim.of(1);
        for (String f : s.split("\\*")) out = out.times(f.matches("-?\\d+") ? Dim.of(Long.parseLong(f)) : Dim.sym(f));
        return out;
    }

    static OpTable.Resolved bind(String name, Object... args) throws ShapeError {
        var pos = new ArrayList<Object>();
        var named = new LinkedHashMap<String, Object>();
        for (Object a : args) {
            if (a instanceof Named n) named.put(n.name(), n.value());
            else pos.add(a);
        }
        return OpTable.resolve(name, pos, named);
    }

    /** The result type printed, e.g. {@code f32[B,10]}. */
    static String type(String name, Object... args) {
        try {
            var r = bind(name, args);
            return r.op().infer(r.args()).toString();
        } catch (ShapeError e) {
            throw new AssertionError("unexpected error: " + e.getMessage(), e);
        }
    }

    /** The message of the error the call must fail with. */
    static String error(String name, Object... args) {
        return assertThrows(ShapeError.class, () -> {
            var r = bind(name, args);
            r.op().infer(r.args());
        }).getMessage();
    }

    /** Calls an operator's row ({@code +}, {@code @}, unary {@code -}) by its operator spelling. */
    static String op(String operator, Type.Tensor... xs) throws ShapeError {
        OpDef d = (xs.length == 1 ? OpTable.unary(operator) : OpTable.binary(operator)).orElseThrow();
        return d.infer(d.bind(List.of((Object[]) xs), java.util.Map.of())).toString();
    }

    static String opError(String operator, Type.Tensor... xs) {
        return assertThrows(ShapeError.class, () -> op(operator, xs)).getMessage();
    }

    static List<Long> ints(long... vs) {
        var out = new ArrayList<Long>();
        for (long v : vs) out.add(v);
        return out;
    }

    static List<Dim> dims(String... ds) { return java.util.Arrays.stream(ds).map(Calls::dim).toList(); }
}
