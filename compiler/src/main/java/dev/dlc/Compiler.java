package dev.dlc;

import dev.dlc.check.Checker;
import dev.dlc.diag.Diagnostics;
import dev.dlc.resolve.ModuleLoader;
import dev.dlc.resolve.Program;
import java.nio.file.Path;

/**
 * The front end in one call: load (parse and resolve imports), then check. A program with
 * syntax or import errors is not type-checked: its partial AST would only produce
 * follow-on errors.
 */
public final class Compiler {
    private Compiler() {}

    /** The outcome of a compilation; {@code checker} is null when loading failed. */
    public record Compilation(Program program, Checker checker, Diagnostics diags) {
        public boolean ok() { return !diags.hasErrors(); }
    }

    public static Compilation checkFile(Path file) {
        var diags = new Diagnostics();
        return check(ModuleLoader.load(file, diags), diags);
    }

    public static Compilation checkString(String path, String text) {
        var diags = new Diagnostics();
        return check(ModuleLoader.loadString(path, text, diags), diags);
    }

    private static Compilation check(Program program, Diagnostics diags) {
        if (program == null || diags.hasErrors()) return new Compilation(program, null, diags);
        return new Compilation(program, Checker.check(program, diags), diags);
    }
}
