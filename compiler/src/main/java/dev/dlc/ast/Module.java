package dev.dlc.ast;

import dev.dlc.diag.Source;
import java.util.List;

/** One parsed `.dl` file. {@code name} is `std.nn` for stdlib modules and the path for files. */
public record Module(String name, Source source, List<Decl> decls) {
    public Module { decls = List.copyOf(decls); }
}
