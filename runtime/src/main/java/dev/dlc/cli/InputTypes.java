package dev.dlc.cli;

import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Parses tensor types given on the command line: {@code f32[2,1,28,28]}, {@code f32[B,784]}. */
final class InputTypes {
    private InputTypes() {}

    private static final Pattern TYPE = Pattern.compile("\\s*([a-z0-9]+)\\s*\\[([^\\]]*)\\]\\s*");
    private static final Pattern DIM = Pattern.compile("\\s*(?:(\\d+)|([A-Za-z_][A-Za-z0-9_]*))\\s*");

    /** The type, or throws IllegalArgumentException with a message for the user. */
    static Type.Tensor parse(String text) {
        var m = TYPE.matcher(text);
        if (!m.matches()) throw new IllegalArgumentException("expected a tensor type such as f32[2,1,28,28], found '" + text + "'");
        DType dtype = DType.parse(m.group(1)).orElseThrow(() ->
                new IllegalArgumentException("unknown dtype '" + m.group(1) + "' in '" + text + "'; expected one of f32 f16 bf16 f64 i32 i64 bool"));
        var dims = new ArrayList<Dim>();
        String body = m.group(2).trim();
        if (!body.isEmpty()) {
            for (String part : body.split(",", -1)) {
                var d = DIM.matcher(part);
                if (!d.matches()) throw new IllegalArgumentException("bad dimension '" + part.trim() + "' in '" + text + "'");
                if (d.group(1) != null) {
                    long v;
                    try { v = Long.parseLong(d.group(1)); } catch (NumberFormatException e) { throw new IllegalArgumentException("dimension too large in '" + text + "'"); }
                    if (v <= 0) throw new IllegalArgumentException("dimensions must be positive in '" + text + "'");
                    dims.add(Dim.of(v));
                } else {
                    dims.add(Dim.sym(d.group(2)));
                }
            }
        }
        return new Type.Tensor(dtype, Shape.of(List.copyOf(dims)));
    }
}
