package dev.dlc.check;

import dev.dlc.ast.Expr;
import dev.dlc.diag.Span;
import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builtins the checker implements: control constructs of staged code (range, len, scan),
 * parameter initializers, the data sets of std.data and the host functions of main. Data
 * sets are declared here with their element types, so a train job is checked before any
 * data is read; the runtime implements the same names.
 */
final class Builtins {
    private final Checker ck;

    Builtins(Checker ck) { this.ck = ck; }

    /** A data set's DL signature and element types, given its bound options. */
    private record DataSet(String name, List<Param> params) {}
    private record Param(String name, Type.Scalar type, Val dflt) {}

    private static final Val REQUIRED = null;

    private static final List<DataSet> DATA = List.of(
            new DataSet("fashion_mnist", List.of(new Param("batch", Type.Scalar.INT, REQUIRED),
                    new Param("root", Type.Scalar.STRING, new Val.Str("/usr/share/datasets/fashion-mnist")),
                    new Param("resize", Type.Scalar.INT, Val.Int.of(28)))),
            new DataSet("synthetic_regression", List.of(new Param("n", Type.Scalar.INT, REQUIRED), new Param("features", Type.Scalar.INT, REQUIRED),
                    new Param("noise", Type.Scalar.FLOAT, new Val.Real(0.01)), new Param("batch", Type.Scalar.INT, Val.Int.of(10)))),
            new DataSet("synthetic_binary", List.of(new Param("n", Type.Scalar.INT, REQUIRED), new Param("features", Type.Scalar.INT, REQUIRED),
                    new Param("batch", Type.Scalar.INT, Val.Int.of(32)))),
            new DataSet("synthetic_classification", List.of(new Param("n", Type.Scalar.INT, REQUIRED), new Param("features", Type.Scalar.INT, REQUIRED),
                    new Param("classes", Type.Scalar.INT, Val.Int.of(2)), new Param("batch", Type.Scalar.INT, Val.Int.of(32)))),
            new DataSet("polynomial_data", List.of(new Param("n", Type.Scalar.INT, REQUIRED), new Param("degree", Type.Scalar.INT, Val.Int.of(3)),
                    new Param("features", Type.Scalar.INT, Val.Int.of(20)), new Param("batch", Type.Scalar.INT, Val.Int.of(10)))),
            new DataSet("high_dim_regression", List.of(new Param("n", Type.Scalar.INT, Val.Int.of(20)), new Param("n_test", Type.Scalar.INT, Val.Int.of(100)),
                    new Param("features", Type.Scalar.INT, Val.Int.of(200)), new Param("noise", Type.Scalar.FLOAT, new Val.Real(0.01)),
                    new Param("batch", Type.Scalar.INT, Val.Int.of(5)))),
            new DataSet("csv", List.of(new Param("path", Type.Scalar.STRING, REQUIRED), new Param("target", Type.Scalar.STRING, REQUIRED),
                    new Param("features", Type.Scalar.INT, REQUIRED), new Param("batch", Type.Scalar.INT, Val.Int.of(64)))),
            new DataSet("text", List.of(new Param("path", Type.Scalar.STRING, REQUIRED), new Param("level", Type.Scalar.STRING, new Val.Str("char")),
                    new Param("seq_len", Type.Scalar.INT, Val.Int.of(35)), new Param("batch", Type.Scalar.INT, Val.Int.of(32)),
                    new Param("min_freq", Type.Scalar.INT, Val.Int.of(0)), new Param("vocab", Type.Scalar.INT, Val.Int.of(28)))),
            new DataSet("translation", List.of(new Param("path", Type.Scalar.STRING, REQUIRED), new Param("seq_len", Type.Scalar.INT, Val.Int.of(10)),
                    new Param("batch", Type.Scalar.INT, Val.Int.of(64)), new Param("vocab", Type.Scalar.INT, Val.Int.of(1000)))));

    private static final Set<String> STAGED = Set.of("range", "len", "scan", "require");
    private static final Set<String> INITIALIZERS = Set.of("normal", "uniform", "xavier_uniform", "xavier_normal",
            "kaiming_normal", "kaiming_uniform", "constant");
    private static final Set<String> HOST = Set.of("print", "fit", "evaluate", "predict", "save", "load", "kfold", "beam_search", "tensor");
    private static final Map<String, String> MODULE_OF = Map.of("nms", "std.vision", "tokenize", "std.text", "vocab", "std.text");

    boolean isDataSet(String name) { return DATA.stream().anyMatch(d -> d.name.equals(name)); }

    Callee.Builtin lookup(String name, Ctx c) {
        if (STAGED.contains(name) || INITIALIZERS.contains(name)) return new Callee.Builtin(name, "");
        if (DATA.stream().anyMatch(d -> d.name.equals(name)) && ck.names.sees(c.module(), "std.data"))
            return new Callee.Builtin(name, "std.data");
        String m = MODULE_OF.get(name);
        if (m != null && ck.names.sees(c.module(), m)) return new Callee.Builtin(name, m);
        if (HOST.contains(name) && c.mode() == Ctx.Mode.HOST) return new Callee.Builtin(name, "host");
        return null;
    }

    Collection<String> names(Ctx c) {
        var out = new TreeSet<String>(STAGED);
        out.addAll(INITIALIZERS);
        if (ck.names.sees(c.module(), "std.data")) DATA.forEach(d -> out.add(d.name));
        if (c.mode() == Ctx.Mode.HOST) out.addAll(HOST);
        return out;
    }

    /** "; it is in std.data: add `use std.data`" when the name exists in a module that is not imported. */
    String moduleHint(String name, Ctx c) {
        if (DATA.stream().anyMatch(d -> d.name.equals(name))) return "; " + name + " is in std.data: add `use std.data`";
        if (MODULE_OF.containsKey(name)) return "; " + name + " is in " + MODULE_OF.get(name) + ": add `use " + MODULE_OF.get(name) + "`";
        String std = ck.stdModuleDefining(name);
        return std == null ? "" : "; " + name + " is in " + std + ": add `use " + std + "`";
    }

    // ================================================================== calls

    Val call(Callee.Builtin b, List<Val.Arg> args, Span span, Ctx c) {
        if (b.module().equals("host")) {
            return new Val.Bad();     // host functions are run (and their arguments checked) by the runtime
        }
        if (args.stream().anyMatch(a -> a.value() instanceof Val.Bad)) return new Val.Bad();
        if (b.module().equals("std.data")) return data(b.name(), args, span, c);
        return switch (b.name()) {
            case "range" -> {
                if (args.size() != 1 || !(args.getFirst().value() instanceof Val.Int n)) {
                    ck.diags.error(span, "range: expects one Int argument");
                    yield new Val.Bad();
                }
                yield Eval.range(n);
            }
            case "len" -> {
                if (args.size() == 1 && args.getFirst().value() instanceof Val.ListV l) yield Val.Int.of(l.items().size());
                if (args.size() == 1 && args.getFirst().value() instanceof Val.TupleV t) yield Val.Int.of(t.items().size());
                ck.diags.error(span, "len: expects one list or tuple");
                yield new Val.Bad();
            }
            case "scan" -> scan(args, span, c);
            case "require" -> require(args, span);
            case "nms", "tokenize", "vocab" -> new Val.Bad();
            default -> init(b.name(), args, span);
        };
    }

    /**
     * {@code require(cond, "message")}: an error with that message, at this call (for the
     * stdlib, the user's call of it), when a condition known at compile time is false.
     * A condition known only at run time cannot be checked here and passes. Gives nothing,
     * or an error value that ends the body it is in (see {@link Eval}).
     */
    private Val require(List<Val.Arg> args, Span span) {
        if (args.size() != 2 || !(args.get(0).value() instanceof Val.Bool cond) || !(args.get(1).value() instanceof Val.Str message)) {
            ck.diags.error(span, "require: expects a Bool condition and a String message");
            return new Val.Bad();
        }
        if (!Boolean.FALSE.equals(cond.value())) return new Val.None();
        ck.diags.error(span, message.value());
        return new Val.Bad();
    }

    private Val init(String name, List<Val.Arg> args, Span span) {
        var nums = new ArrayList<Double>();
        for (Val.Arg a : args) {
            if (!Scalars.isNumber(a.value())) {
                ck.diags.error(a.span(), name + ": expects numbers, found " + Val.describe(a.value()));
                return new Val.Bad();
            }
            Double d = Scalars.real(a.value());
            nums.add(d == null ? Double.NaN : d);
        }
        int want = switch (name) { case "uniform" -> 2; case "normal", "constant" -> 1; default -> 0; };
        int max = name.equals("normal") ? 2 : want;
        if (nums.size() < want || nums.size() > max) {
            ck.diags.error(span, name + ": expects " + (want == max ? want : want + " or " + max) + " argument" + (max == 1 ? "" : "s") + ", found " + nums.size());
            return new Val.Bad();
        }
        return new Val.Init(name, nums);
    }

    /**
     * Checks a parameter's initializer and returns it: an {@link Val.Init} (zeros, ones and a
     * number become {@code zeros}, {@code ones} and {@code constant(v)}), or Bad after a report.
     */
    Val initializer(Expr e, Ctx c) {
        if (e instanceof Expr.Name n && (n.name().equals("zeros") || n.name().equals("ones") || INITIALIZERS.contains(n.name()))) {
            if (Set.of("normal", "uniform", "constant").contains(n.name())) {
                ck.diags.error(e.span(), n.name() + " needs arguments, e.g. " + (n.name().equals("uniform") ? "uniform(-0.1, 0.1)" : n.name() + "(0.01)"));
                return new Val.Bad();
            }
            return new Val.Init(n.name(), List.of());
        }
        Val v = ck.eval.expr(e, c);
        if (v instanceof Val.Init || v instanceof Val.Bad) return v;
        if (Scalars.isNumber(v)) {
            Double d = Scalars.real(v);
            return new Val.Init("constant", List.of(d == null ? Double.NaN : d));
        }
        ck.diags.error(e.span(), "expected an initializer (zeros, ones, normal(std), uniform(a, b), xavier_uniform, xavier_normal, kaiming_normal or a number), found "
                + Val.describe(v));
        return new Val.Bad();
    }

    // ================================================================== data sets

    Val data(String name, List<Val.Arg> args, Span span, Ctx c) {
        DataSet ds = DATA.stream().filter(d -> d.name.equals(name)).findFirst().orElseThrow();
        var opts = new LinkedHashMap<String, Val>();
        int pos = 0;
        for (Val.Arg a : args) {
            String key = a.keyword();
            if (key == null) {
                if (pos >= ds.params.size()) { ck.diags.error(a.span(), name + ": takes at most " + ds.params.size() + " arguments"); return new Val.Bad(); }
                key = ds.params.get(pos++).name;
            }
            String k = key;
            var p = ds.params.stream().filter(x -> x.name.equals(k)).findFirst();
            if (p.isEmpty()) {
                ck.diags.error(a.span(), name + ": unknown option '" + key + "'" + Names.didYouMean(key, ds.params.stream().map(Param::name).toList()));
                return new Val.Bad();
            }
            Val v = a.value();
            boolean ok = switch (p.get().type) {
                case INT -> v instanceof Val.Int i && (i.value() == null || !i.value().isConst() || i.get() > 0);
                case FLOAT -> Scalars.isNumber(v);
                case STRING -> v instanceof Val.Str;
                case BOOL -> v instanceof Val.Bool;
            };
            if (!ok) {
                ck.diags.error(a.span(), name + ": option '" + key + "' expects " + (p.get().type == Type.Scalar.INT ? "a positive Int" : p.get().type) + ", found " + describe(v));
                return new Val.Bad();
            }
            opts.put(key, v);
        }
        for (Param p : ds.params) {
            if (opts.containsKey(p.name)) continue;
            if (p.dflt == null) { ck.diags.error(span, name + ": missing option '" + p.name + "'"); return new Val.Bad(); }
            opts.put(p.name, p.dflt);
        }
        var element = element(name, opts);
        return new Val.Data(name, element.subList(0, element.size() - 1), element.getLast(), opts);
    }

    private static String describe(Val v) {
        return v instanceof Val.Int i && i.known() ? "Int " + i.get() : Val.describe(v);
    }

    /**
     * Element types: the model's inputs, then the labels. The batch dimension is the symbol B,
     * not the batch size: the last batch of an epoch may be smaller.
     */
    private static List<Type.Tensor> element(String name, Map<String, Val> o) {
        Dim b = Dim.sym("B");
        return switch (name) {
            case "fashion_mnist" -> {
                Dim r = ((Val.Int) o.get("resize")).value();
                yield List.of(new Type.Tensor(DType.F32, Shape.of(List.of(b, Dim.of(1), r, r))), new Type.Tensor(DType.I32, Shape.of(List.of(b))));
            }
            case "synthetic_regression" -> List.of(tensor(DType.F32, b, dim(o, "features")), tensor(DType.F32, b));
            case "synthetic_binary" -> List.of(tensor(DType.F32, b, dim(o, "features")), tensor(DType.F32, b));
            case "synthetic_classification" -> List.of(tensor(DType.F32, b, dim(o, "features")), tensor(DType.I32, b));
            case "polynomial_data", "high_dim_regression" -> List.of(tensor(DType.F32, b, dim(o, "features")), tensor(DType.F32, b));
            case "csv" -> List.of(tensor(DType.F32, b, dim(o, "features")), tensor(DType.F32, b));
            case "text" -> List.of(tensor(DType.I32, b, dim(o, "seq_len")), tensor(DType.I32, b, dim(o, "seq_len")));
            default -> List.of(tensor(DType.I32, b, dim(o, "seq_len")), tensor(DType.I32, b, dim(o, "seq_len")),
                    tensor(DType.I32, b, dim(o, "seq_len")));
        };
    }

    private static Dim dim(Map<String, Val> o, String key) { return ((Val.Int) o.get(key)).value(); }

    private static Type.Tensor tensor(DType d, Dim... dims) { return new Type.Tensor(d, Shape.of(List.of(dims))); }

    // ================================================================== scan

    /**
     * {@code scan(f, xs, init, axis = 1)}: f(x_t, state) -> (y_t, state) over the slices of
     * xs along axis. The body is checked once on a slice; the state must keep its type.
     */
    private Val scan(List<Val.Arg> args, Span span, Ctx c) {
        Val f = null, xs = null, init = null;
        long axis = 1;
        int pos = 0;
        for (Val.Arg a : args) {
            String k = a.keyword() != null ? a.keyword() : switch (pos++) { case 0 -> "f"; case 1 -> "xs"; case 2 -> "init"; case 3 -> "axis"; default -> "?"; };
            switch (k) {
                case "f" -> f = a.value();
                case "xs" -> xs = a.value();
                case "init" -> init = a.value();
                case "axis" -> {
                    if (!(a.value() instanceof Val.Int i && i.known())) { ck.diags.error(a.span(), "scan: axis must be a known Int"); return new Val.Bad(); }
                    axis = i.get();
                }
                default -> { ck.diags.error(a.span(), "scan: unexpected argument" + (a.keyword() == null ? "" : " '" + a.keyword() + "'")); return new Val.Bad(); }
            }
        }
        if (f == null || xs == null || init == null) {
            ck.diags.error(span, "scan: expects scan(f, xs, init, axis = 1)");
            return new Val.Bad();
        }
        if (!(xs instanceof Val.Tensor xt)) { ck.diags.error(span, "scan: xs must be a tensor, found " + Val.describe(xs)); return new Val.Bad(); }
        Shape s = xt.type().shape();
        int ax = s.axis(axis);
        if (ax < 0 || (s.hasRest() && axis >= 0)) {
            ck.diags.error(span, "scan: axis " + axis + " is out of range for " + xt.type());
            return new Val.Bad();
        }
        var sliceDims = new ArrayList<>(s.dims());
        Dim steps = sliceDims.remove(ax);
        // The step function is staged once, into a graph of its own that the scan node holds:
        // its inputs are one slice and the state; its outputs the slice's result and the new state.
        var outer = ck.graph;
        ck.graph = new dev.dlc.ir.Graph();
        Dim flopsBefore = ck.flopMark();
        Val out;
        Val stateIn;
        dev.dlc.ir.Graph scanBody;
        try {
            Val xt1 = ck.input("scan.x", xt.type().withShape(s.withDims(sliceDims)));
            stateIn = placeholders(init, "scan.s");
            out = ck.calls.invoke(f, List.of(new Val.Arg(null, xt1, span), new Val.Arg(null, stateIn, span)), span, c);
        } finally {
            scanBody = ck.graph;
            ck.graph = outer;
        }
        // One step was counted: the scan runs `steps` of them.
        ck.countFlops(ck.flopMark().minus(flopsBefore).times(steps.minus(Dim.of(1))));
        if (out instanceof Val.Bad) return out;
        if (!(out instanceof Val.TupleV tv && tv.items().size() == 2 && tv.items().get(0) instanceof Val.Tensor y)) {
            ck.diags.error(span, "scan: the step function must return (output, state), found " + Val.describe(out));
            return new Val.Bad();
        }
        Val state = tv.items().get(1);
        if (!sameType(state, init)) {
            ck.diags.error(span, "scan: the step function changes the state's type from " + Val.describe(init) + " to " + Val.describe(state));
            return new Val.Bad();
        }
        var ys = new ArrayList<>(y.type().shape().dims());
        int yax = Math.min(ax, ys.size());
        ys.add(yax, steps);
        var ysType = y.type().withShape(y.type().shape().withDims(ys));
        var bodyOut = new ArrayList<dev.dlc.ir.Node>();
        bodyOut.add(y.node());
        var initNodes = new ArrayList<dev.dlc.ir.Node>();
        collectNodes(state, bodyOut);
        collectNodes(init, initNodes);
        bodyOut.forEach(scanBody::output);
        var types = new ArrayList<Type>();
        types.add(ysType);
        for (int i = 1; i < bodyOut.size(); i++) types.add(bodyOut.get(i).type());
        var scanArgs = new ArrayList<dev.dlc.ir.Node>();
        scanArgs.add(xt.node());
        scanArgs.addAll(initNodes);
        // Its site is its position now, the stream the interpreter gave it unnamed: named, it keeps
        // that stream when passes move it, as the backward's scans (named after it) do.
        long site = ck.graph.nodes().size();
        var node = ck.graph.add(new dev.dlc.ir.Node.Apply("scan", scanArgs, java.util.Map.of("axis", (long) ax, "body", scanBody, "site", site), new Type.Tuple(types)), span);
        var parts = new java.util.ArrayDeque<Val>();
        for (int i = 0; i < types.size(); i++)
            parts.add(new Val.Tensor((Type.Tensor) types.get(i), ck.graph.add(new dev.dlc.ir.Node.Project(node, i, types.get(i)), span)));
        Val ysVal = parts.removeFirst();
        return new Val.TupleV(List.of(ysVal, rebuild(init, parts)));
    }

    /** The state's shape of values, with body inputs in place of its tensors. */
    private Val placeholders(Val v, String name) {
        return switch (v) {
            case Val.Tensor t -> ck.input(name, t.type());
            case Val.TupleV t -> {
                var parts = new ArrayList<Val>();
                for (int i = 0; i < t.items().size(); i++) parts.add(placeholders(t.items().get(i), name + "." + i));
                yield new Val.TupleV(parts);
            }
            default -> v;
        };
    }

    private static void collectNodes(Val v, List<dev.dlc.ir.Node> out) {
        switch (v) {
            case Val.Tensor t -> { if (t.node() != null) out.add(t.node()); }
            case Val.TupleV t -> t.items().forEach(i -> collectNodes(i, out));
            default -> {}
        }
    }

    /** The state's structure again, filled with the scan's final-state projections in order. */
    private static Val rebuild(Val like, java.util.Deque<Val> parts) {
        return switch (like) {
            case Val.Tensor t -> parts.removeFirst();
            case Val.TupleV t -> new Val.TupleV(t.items().stream().map(i -> rebuild(i, parts)).toList());
            default -> like;
        };
    }

    private static boolean sameType(Val a, Val b) {
        return switch (a) {
            case Val.Tensor t -> b instanceof Val.Tensor u && t.type().equals(u.type());
            case Val.TupleV t -> b instanceof Val.TupleV u && t.items().size() == u.items().size()
                    && java.util.stream.IntStream.range(0, t.items().size()).allMatch(i -> sameType(t.items().get(i), u.items().get(i)));
            default -> a.getClass() == b.getClass();
        };
    }
}
