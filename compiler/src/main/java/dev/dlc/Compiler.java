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
        return withStack(() -> {
            var diags = new Diagnostics();
            return check(ModuleLoader.load(file, diags), diags);
        });
    }

    public static Compilation checkString(String path, String text) {
        return withStack(() -> {
            var diags = new Diagnostics();
            return check(ModuleLoader.loadString(path, text, diags), diags);
        });
    }

    /**
     * Parse trees, the AST and the checker are recursive, and a flat chain of two thousand
     * additions is as deep as two thousand nested parentheses. The front end runs on a
     * thread with a stack to match, so such programs compile instead of overflowing.
     */
    private static final long STACK_BYTES = 256L << 20;

    private static Compilation withStack(java.util.function.Supplier<Compilation> work) {
        var result = new java.util.concurrent.atomic.AtomicReference<Compilation>();
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        var t = new Thread(null, () -> {
            try {
                result.set(work.get());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "dlc-front-end", STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling", e);
        }
        if (failure.get() instanceof RuntimeException e) throw e;
        if (failure.get() instanceof Error e) throw e;
        return result.get();
    }

    private static Compilation check(Program program, Diagnostics diags) {
        if (program == null || diags.hasErrors()) return new Compilation(program, null, diags);
        return new Compilation(program, Checker.check(program, diags), diags);
    }
}
