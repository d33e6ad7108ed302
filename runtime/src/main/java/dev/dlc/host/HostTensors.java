package dev.dlc.host;

import com.oracle.truffle.api.source.SourceSection;
import dev.dlc.ops.Tensor;
import dev.dlc.truffle.DlException;
import dev.dlc.truffle.DlList;
import dev.dlc.truffle.Values;
import dev.dlc.types.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tensors made in host code, to call fns and {@code predict} with: {@code tensor([[1, 2], [3, 4]])}
 * from nested lists (i32 when every element is an Int, else f32; {@code dtype = "f32"} chooses),
 * and {@code zeros(shape)}, {@code ones(shape)}, {@code full(shape, value)} in f32.
 */
final class HostTensors {
    private HostTensors() {}

    static Tensor make(String name, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        return switch (name) {
            case "tensor" -> {
                if (args.size() != 1) throw DlException.at(at, "tensor: expected one (nested) list of numbers, e.g. tensor([[1.0, 2.0], [3.0, 4.0]])");
                var shape = new ArrayList<Integer>();
                var values = new ArrayList<Object>();
                flatten(args.getFirst(), 0, shape, values, at);
                DType dtype = dtype(kwargs, values.stream().allMatch(Long.class::isInstance) ? DType.I32 : DType.F32, at);
                double[] data = values.stream().mapToDouble(v -> v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue()).toArray();
                yield Tensor.of(dtype, shape.stream().mapToInt(Integer::intValue).toArray(), data).fit(false);
            }
            case "zeros", "ones", "full" -> {
                int arity = name.equals("full") ? 2 : 1;
                if (args.size() != arity) throw DlException.at(at, name + ": expected " + (arity == 1 ? "a shape" : "a shape and a value") + ", e.g. " + name + "([2, 3]" + (arity == 2 ? ", 0.5" : "") + ")");
                int[] shape = shape(args.getFirst(), name, at);
                double v = switch (name) {
                    case "zeros" -> 0;
                    case "ones" -> 1;
                    default -> args.get(1) instanceof Number n ? n.doubleValue() : fail(at, "full: the value must be a number, found " + Values.typeName(args.get(1)));
                };
                yield Tensor.filled(dtype(kwargs, DType.F32, at), shape, v).fit(false);
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static void flatten(Object v, int depth, List<Integer> shape, List<Object> out, SourceSection at) {
        if (v instanceof DlList l) {
            if (shape.size() == depth) {
                if (!out.isEmpty()) throw DlException.at(at, "tensor: the lists are not rectangular");
                shape.add(l.size());
            } else if (shape.size() < depth || shape.get(depth) != l.size()) throw DlException.at(at, "tensor: the lists are not rectangular");
            for (int i = 0; i < l.size(); i++) flatten(l.get(i), depth + 1, shape, out, at);
        } else if (v instanceof Long || v instanceof Double || v instanceof Boolean) {
            if (shape.size() != depth) throw DlException.at(at, "tensor: the lists are not rectangular");
            out.add(v);
        } else throw DlException.at(at, "tensor: expected numbers, found " + Values.typeName(v));
    }

    private static int[] shape(Object v, String name, SourceSection at) {
        if (!(v instanceof DlList l)) throw DlException.at(at, name + ": the shape must be a list of Ints, found " + Values.typeName(v));
        int[] shape = new int[l.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(l.get(i) instanceof Long n) || n < 0 || n > Integer.MAX_VALUE) throw DlException.at(at, name + ": the shape must be a list of sizes >= 0, found " + Values.repr(l));
            shape[i] = (int) (long) n;
        }
        long total = 1;
        for (int d : shape) total *= d;
        if (total > 1L << 28) throw DlException.at(at, name + ": " + total + " elements is too many for host code");
        return shape;
    }

    private static DType dtype(Map<String, Object> kwargs, DType dflt, SourceSection at) {
        for (String k : kwargs.keySet()) if (!k.equals("dtype")) throw DlException.at(at, "unexpected keyword argument '" + k + "'");
        if (!kwargs.containsKey("dtype")) return dflt;
        return switch (kwargs.get("dtype")) {
            case String s when s.equals("f32") -> DType.F32;
            case String s when s.equals("f64") -> DType.F64;
            case String s when s.equals("i32") -> DType.I32;
            case String s when s.equals("bool") -> DType.BOOL;
            case Object o -> throw DlException.at(at, "dtype must be \"f32\", \"f64\", \"i32\" or \"bool\", found " + Values.repr(o));
        };
    }

    private static double fail(SourceSection at, String message) { throw DlException.at(at, message); }
}
