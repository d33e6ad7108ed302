package dev.dlc.resolve;

import dev.dlc.ast.Module;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A root file and everything it loads.
 *
 * @param root    the file that was compiled
 * @param modules every module by name ({@code std.nn}, or a file's display path), each
 *                after the modules it uses: the prelude first, the root last
 * @param prelude the modules every module sees without a {@code use}
 * @param imports for each module name, the modules its {@code use}s brought in, in order
 */
public record Program(Module root, Map<String, Module> modules, List<Module> prelude, Map<String, List<Module>> imports) {
    public Program {
        // Map.copyOf would lose the load order, which later phases rely on.
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        prelude = List.copyOf(prelude);
        imports = Map.copyOf(imports);
    }

    public List<Module> importsOf(Module module) { return imports.getOrDefault(module.name(), List.of()); }
}
