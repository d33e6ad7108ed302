package dev.dlc.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ast.Decl;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScopeTest {
    @TempDir Path dir;
    final Diagnostics diags = new Diagnostics();

    Program load(String root, Map<String, String> stdlib) {
        return new ModuleLoader(diags, path -> Optional.ofNullable(stdlib.get(path)))
                .loadRoot(new Source(dir.resolve("main.dl").toString(), root));
    }

    @Test void aNameDefinedTwiceIsAnErrorWithANoteAtTheFirst() {
        Program program = load("fn f() = 1\nlayer g() = seq { }\nlayer f() = seq { }\n", Map.of());
        Scope scope = Scope.of(program, diags);
        Diagnostic d = diags.list().getFirst();
        assertEquals("'f' is already defined in this module", d.message());
        assertEquals(3, d.span().line());
        assertEquals("f", d.span().text());
        assertEquals("first defined here", d.notes().getFirst().message());
        assertEquals(1, d.notes().getFirst().span().line());
        // The first definition is the one that counts.
        assertEquals("fn", scope.lookup(program.root(), "f").orElseThrow().kind());
    }

    @Test void twoMainBlocksAreAnError() {
        Scope.of(load("main { }\nmain { }\n", Map.of()), diags);
        assertEquals("a module has at most one main block", diags.list().getFirst().message());
        assertEquals(2, diags.list().getFirst().span().line());
    }

    @Test void ownThenImportedThenPrelude() throws IOException {
        Files.writeString(dir.resolve("blocks.dl"), "use std.nn\nlayer Block() = seq { }\nfn mse(a, b) = 0\n");
        var stdlib = Map.of(
                "std/nn.dl", "layer Linear(out: Int) = seq { }\n",
                "std/losses.dl", "fn mse(a, b) = 1\nfn cross_entropy(a, b) = 1\n",
                "std/optim.dl", "optimizer sgd(lr: Float) { }\n");
        Program program = load("use \"blocks.dl\"\nfn cross_entropy(a, b) = 2\n", stdlib);
        Scope scope = Scope.of(program, diags);
        assertTrue(!diags.hasErrors(), diags.render());
        var root = program.root();
        var blocks = program.importsOf(root).getFirst();
        var losses = program.modules().get("std.losses");

        Decl.Named ce = scope.lookup(root, "cross_entropy").orElseThrow();
        assertSame(root, scope.moduleOf(ce));                        // own shadows the prelude
        assertSame(blocks, scope.moduleOf(scope.lookup(root, "mse").orElseThrow())); // import before prelude
        assertSame(losses, scope.moduleOf(scope.lookup(blocks, "cross_entropy").orElseThrow()));
        assertEquals("optimizer", scope.lookup(root, "sgd").orElseThrow().kind());
        // Names are not re-exported: blocks uses std.nn, main does not.
        assertEquals(Optional.empty(), scope.lookup(root, "Linear"));
        assertTrue(scope.lookup(blocks, "Linear").isPresent());
        assertEquals(Set.of("cross_entropy", "Block", "mse", "sgd"), scope.visibleNames(root));
        assertEquals(Optional.of("Block"), Suggest.closest("Blcok", scope.visibleNames(root)));
    }
}
