package dev.dlc.truffle;

import com.oracle.truffle.api.source.SourceSection;
import dev.dlc.Compiler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The builtins host code has before training is wired up: {@code print}, {@code range} and
 * {@code len}. A context without the training builtins (dev.dlc.host) says so when host code calls them.
 */
public class DefaultHostBuiltins implements HostBuiltins {
    /** The builtins of LANGUAGE.md §8 that the training builtins provide. */
    public static final Set<String> TRAINING = Set.of("fit", "evaluate", "predict", "save", "load", "kfold", "beam_search");

    private final OutputStream out;

    public DefaultHostBuiltins(OutputStream out) { this.out = out; }

    @Override public Object call(Compiler.Compilation program, String name, List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        return switch (name) {
            case "print" -> print(args, kwargs, at);
            case "range" -> range(args, kwargs, at);
            case "len" -> {
                arity(name, args, kwargs, 1, 1, at);
                yield switch (args.getFirst()) {
                    case DlList l -> (long) l.size();
                    case String s -> (long) s.codePointCount(0, s.length());
                    case Object o -> throw DlException.at(at, "len: expected a list or a String, found " + Values.typeName(o));
                };
            }
            default -> throw DlException.at(at, TRAINING.contains(name)
                    ? name + ": not available in this context (it has no training builtins)"
                    : name + ": unknown builtin in host code");
        };
    }

    /** {@code print(a, b, ...)}: Python's str of each argument, separated by spaces, then a newline. */
    private Object print(List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        if (!kwargs.isEmpty()) throw DlException.at(at, "print: unexpected keyword argument '" + kwargs.keySet().iterator().next() + "'");
        var line = new StringBuilder();
        for (Object a : args) {
            if (!line.isEmpty()) line.append(' ');
            line.append(Values.str(a));
        }
        line.append('\n');
        try {
            out.write(line.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw DlException.at(at, "print: cannot write the output: " + e.getMessage());
        }
        return DlNone.INSTANCE;
    }

    /** {@code range(n)}, {@code range(lo, hi)}, {@code range(lo, hi, step)} as in Python, as a list. */
    private static Object range(List<Object> args, Map<String, Object> kwargs, SourceSection at) {
        arity("range", args, kwargs, 1, 3, at);
        long[] v = new long[args.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(args.get(i) instanceof Long n)) throw DlException.at(at, "range: expected Int arguments, found " + Values.typeName(args.get(i)));
            v[i] = n;
        }
        long lo = v.length == 1 ? 0 : v[0], hi = v.length == 1 ? v[0] : v[1], step = v.length == 3 ? v[2] : 1;
        if (step == 0) throw DlException.at(at, "range: the step must not be zero");
        long n = step > 0 ? Math.max(0, Math.ceilDiv(hi - lo, step)) : Math.max(0, Math.ceilDiv(lo - hi, -step));
        if (n > Integer.MAX_VALUE - 8) throw DlException.at(at, "range: too many elements (" + n + ")");
        Object[] items = new Object[(int) n];
        for (int i = 0; i < items.length; i++) items[i] = lo + i * step;
        return new DlList(items, false);
    }

    private static void arity(String name, List<Object> args, Map<String, Object> kwargs, int min, int max, SourceSection at) {
        if (!kwargs.isEmpty()) throw DlException.at(at, name + ": unexpected keyword argument '" + kwargs.keySet().iterator().next() + "'");
        if (args.size() < min || args.size() > max)
            throw DlException.at(at, name + ": expected " + (min == max ? "" + min : min + " to " + max) + " argument" + (max == 1 ? "" : "s") + ", found " + args.size());
    }
}
