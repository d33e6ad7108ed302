package dev.dlc.check;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Module;
import dev.dlc.diag.Source;
import dev.dlc.diag.Span;
import dev.dlc.ops.OpTable;
import dev.dlc.resolve.Program;
import dev.dlc.resolve.Scope;
import dev.dlc.resolve.Suggest;
import java.util.Collection;
import java.util.IdentityHashMap;
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
    private final Scope scope;

    Names(Checker ck, Program program, dev.dlc.diag.Diagnostics diags) {
        this.ck = ck;
        this.program = program;
        this.scope = Scope.of(program, diags);      // reports names defined twice
        for (Module m : program.modules().values()) bySource.put(m.source(), m);
    }

    Module moduleOf(Source s) { return bySource.get(s); }

    /** The declaration {@code name} means in module {@code m}, or null. */
    Decl.Named decl(Module m, String name) { return scope.lookup(m, name).orElse(null); }

    /** Every declaration name module {@code m} sees. */
    java.util.Set<String> declNames(Module m) { return scope.visibleNames(m); }

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
            // A parameter whose type waits for a typed input (an untyped forward in a generic check).
            if (self.members.get(name) instanceof dev.dlc.ast.Member.ParamMember || self.members.get(name) instanceof dev.dlc.ast.Member.BufferMember)
                return new Val.Bad();
            if (self.values.containsKey(name)) return self.values.get(name);
            if (self.config.containsKey(name)) return self.config.get(name);
            if (name.equals("training")) return c.training();
        }
        if (c.dims() != null && c.dims().has(name)) return new Val.Int(c.dims().lookup(name));
        if (c.module() != null) {
            Decl.Named d = decl(c.module(), name);
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
        if (c.module() != null) all.addAll(declNames(c.module()));
        all.addAll(OpTable.names());
        all.addAll(ck.builtins.names(c));
        // The very name in a module not imported (Linear in std.nn) beats a near one in scope (the schedule linear).
        String moduleHint = c.module() == null ? "" : ck.builtins.moduleHint(name, c);
        return moduleHint.isEmpty() ? didYouMean(name, all) : moduleHint;
    }

    /** "; did you mean 'X'?" — not for names of one or two letters, where every other short name is one edit away. */
    static String didYouMean(String name, Collection<String> candidates) {
        var near = Suggest.closest(name, candidates);
        if (name.length() <= 2) near = near.filter(s -> s.equalsIgnoreCase(name));
        return near.map(s -> "; did you mean '" + s + "'?").orElse("");
    }
}
