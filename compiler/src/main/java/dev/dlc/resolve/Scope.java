package dev.dlc.resolve;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Module;
import dev.dlc.diag.Diagnostics;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The top-level names of a program. A module sees, in this order, its own declarations,
 * those of the modules it uses, then the prelude; the first that has the name wins, so a
 * module's own declarations shadow imported and prelude ones. Names are not re-exported:
 * what a used module itself uses stays out of sight.
 */
public final class Scope {
    private final Program program;
    private final Map<String, Map<String, Decl.Named>> declsByModule = new HashMap<>();
    private final Map<Decl.Named, Module> moduleOfDecl = new IdentityHashMap<>();

    private Scope(Program program) { this.program = program; }

    /** Builds the name tables of every module, reporting names defined twice in one module. */
    public static Scope of(Program program, Diagnostics diags) {
        var scope = new Scope(program);
        for (Module module : program.modules().values()) scope.collect(module, diags);
        return scope;
    }

    private void collect(Module module, Diagnostics diags) {
        var names = new LinkedHashMap<String, Decl.Named>();
        var jobs = new LinkedHashMap<String, Decl.Named>();
        for (Decl decl : module.decls()) {
            if (!(decl instanceof Decl.Named named)) continue;
            // Train jobs are named for the command line (`dlc run --train NAME`), not as values:
            // `train linreg` next to `fn linreg` is fine, two jobs of one name are not.
            Decl.Named first = (named instanceof Decl.TrainDecl ? jobs : names).putIfAbsent(named.name().name(), named);
            if (first == null) {
                moduleOfDecl.put(named, module);
            } else {
                diags.error(named.name().span(), "'" + named.name() + "' is already defined in this module",
                        Diagnostics.note(first.name().span(), "first defined here"));
            }
        }
        declsByModule.put(module.name(), Collections.unmodifiableMap(names));
        checkOneMain(module, diags);
    }

    /** `dlc run` runs the main block; two would leave it guessing. */
    private static void checkOneMain(Module module, Diagnostics diags) {
        var mains = module.decls().stream().filter(Decl.MainDecl.class::isInstance).toList();
        for (Decl extra : mains.subList(Math.min(1, mains.size()), mains.size())) {
            diags.error(extra.span(), "a module has at most one main block",
                    Diagnostics.note(mains.getFirst().span(), "first main block here"));
        }
    }

    /** The declarations of one module, by name, in source order. */
    public Map<String, Decl.Named> declsOf(Module module) {
        return declsByModule.getOrDefault(module.name(), Map.of());
    }

    /** What {@code name} means in {@code from}: its own, then used, then prelude declarations. */
    public Optional<Decl.Named> lookup(Module from, String name) {
        return visibleModules(from).map(m -> declsOf(m).get(name)).filter(d -> d != null).findFirst();
    }

    /** Every top-level name {@code from} can see, for "did you mean" suggestions. */
    public Set<String> visibleNames(Module from) {
        var names = new LinkedHashSet<String>();
        visibleModules(from).forEach(m -> names.addAll(declsOf(m).keySet()));
        return names;
    }

    /** The module that declares {@code decl}, so a checker can look up names in its body from there. */
    public Module moduleOf(Decl.Named decl) { return moduleOfDecl.get(decl); }

    private Stream<Module> visibleModules(Module from) {
        return Stream.of(List.of(from), program.importsOf(from), program.prelude()).flatMap(List::stream);
    }
}
