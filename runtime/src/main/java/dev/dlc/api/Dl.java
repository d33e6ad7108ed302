package dev.dlc.api;

import dev.dlc.Compiler;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedding API: compile a DL file or string, train its jobs, build and run its models.
 * <pre>{@code
 * var program = Dl.compile(Path.of("mlp.dl"));
 * Model mlp = program.train("mlp").model();          // runs the train job
 * float[] logits = mlp.predict(image, 1, 1, 28, 28);  // inference, one example
 * mlp.save(Path.of("runs/mlp"));
 * }</pre>
 * Everything runs on the reference interpreter until the compiled backend exists. The same
 * programs run through the polyglot API ({@code Context.create("dl")}) as host code.
 */
public final class Dl {
    private Dl() {}

    /** Compiles a file; its errors, rendered as {@code FILE:LINE:COL: error: ...}, are the exception's message. */
    public static Program compile(Path file) throws DlException {
        if (!Files.isRegularFile(file)) throw new DlException(file + ": error: no such file");
        return program(file, Compiler.checkFile(file));
    }

    /** Compiles DL source text named {@code name} (for messages). */
    public static Program compile(String name, String text) throws DlException {
        return program(null, Compiler.checkString(name, text));
    }

    private static Program program(Path file, Compiler.Compilation c) throws DlException {
        if (!c.ok()) throw new DlException(c.diags().render().stripTrailing());
        return new Program(file, c);
    }
}
