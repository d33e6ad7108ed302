package dev.dlc.check;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Module;
import dev.dlc.diag.Source;
import dev.dlc.diag.Span;
import dev.dlc.ops.OpTable;
import dev.dlc.resolve.Program;
import dev.dlc.resolve.Suggest;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Name lookup, innermost first: locals, the current layer's members and config, the
 * signature's dimensions, the module's declarations, its imports, the prelude, then the
 * primitives and builtins. An unknown name gets a "did you mean" from everything visible.
 */
final class Names {
    private final Checker ck;
    private final Program program;
    private final Map<Source, Module> bySource = new IdentityHashMap<>();
    private final Map<Module, Map<String, Decl.Named>> visible = new IdentityHashMap<>();

    Names(Checker ck, Program program) {
        this.ck = ck;
        this.program = program;
        for (Module m : program.modules().values()) bySource.put(m.source(), m);
    }

    Module moduleOf(Source s) { return bySource.get(s); }

    /** The declarations a module sees: its own, then its imports', then the prelude's (earlier wins). */
    Map<String, Decl.Named> scope(Module m) {
        return visible.computeIfAbsent(m, mod -> {
            var out = new LinkedHashMap<String, Decl.Named>();
            own(mod).forEach(out::putIfAbsent);
            for (Module imp : program.importsOf(mod)) own(imp).forEach(out::putIfAbsent);
            for (Module pre : program.prelude()) if (pre != mod) own(pre).forEach(out::putIfAbsent);
            return out;
        });
    }

    private static Map<String, Decl.Named> own(Module m) {
        var out = new LinkedHashMap<String, Decl.Named>();
        for (Decl d : m.decls()) if (d instanceof Decl.Named n) out.putIfAbsent(n.name().name(), n);
        return out;
    }

    /** Whether a module can see the builtins of a stdlib module (e.g. data sets of std.data). */
    boolean sees(Module m, String stdModule) {
        if (m == null) return false;
        if (m.name().equals(stdModule)) return true;
        return program.importsOf(m).stream().anyMatch(i -> i.name().equals(stdModule));
    }

    Val resolve(String name, Span span, Ctx c) {
        Val v = c.env().lookup(name);
        if (v != null) return v;
        if (c.self() != null) {
            LayerInst self = c.self();
            if (self.params.containsKey(name)) { var p = self.params.get(name); return new Val.Tensor(p.type(), p.node()); }
            if (self.values.containsKey(name)) return self.values.get(name);
            if (self.config.containsKey(name)) return self.config.get(name);
            if (name.equals("training")) return c.training();
        }
        if (c.dims() != null && c.dims().has(name)) return new Val.Int(c.dims().lookup(name));
        if (c.module() != null) {
            Decl.Named d = scope(c.module()).get(name);
            if (d != null) return switch (d) {
                case Decl.LayerDecl l -> new Val.Fn(new Callee.Layer(l));
                case Decl.FnDecl f -> new Val.Fn(new Callee.Fn(f));
                case Decl.OptimizerDecl o -> new Val.Fn(new Callee.Optimizer(o));
                case Decl.ScheduleDecl s -> new Val.Fn(new Callee.Schedule(s));
                case Decl.TrainDecl t -> {
                    if (c.mode() == Ctx.Mode.HOST) yield new Val.Bad();
                    ck.diags.error(span, "train job '" + name + "' is not a value");
                    yield new Val.Bad();
                }
            };
        }
        if (name.equals("pi")) return new Val.Real(Math.PI);
        var prims = OpTable.lookup(name);
        if (!prims.isEmpty()) return new Val.Fn(new Callee.Prim(name, prims));
        Callee.Builtin b = ck.builtins.lookup(name, c);
        if (b != null) return new Val.Fn(b);
        ck.diags.error(span, "undefined name '" + name + "'" + suggestion(name, c));
        return new Val.Bad();
    }

    /** "; did you mean 'X'?" over every name visible from {@code c}, or "". */
    String suggestion(String name, Ctx c) {
        var all = new TreeSet<String>(c.env().names());
        if (c.self() != null) {
            all.addAll(c.self().params.keySet());
            all.addAll(c.self().values.keySet());
            all.addAll(c.self().config.keySet());
            all.add("training");
        }
        if (c.dims() != null) all.addAll(c.dims().all().keySet());
        if (c.module() != null) all.addAll(scope(c.module()).keySet());
        all.addAll(OpTable.names());
        all.addAll(ck.builtins.names(c));
        String hint = Suggest.closest(name, all).map(s -> "; did you mean '" + s + "'?").orElse("");
        if (hint.isEmpty() && c.module() != null) hint = ck.builtins.moduleHint(name, c);
        return hint;
    }

    static String didYouMean(String name, Collection<String> candidates) {
        return Suggest.closest(name, candidates).map(s -> "; did you mean '" + s + "'?").orElse("");
    }
}
