package dev.dlc.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ast.Module;
import dev.dlc.diag.Diagnostic;
import dev.dlc.diag.Diagnostics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleLoaderTest {
    @TempDir Path dir;
    final Diagnostics diags = new Diagnostics();

    Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    /** A loader whose stdlib is this map of resource path to text. */
    ModuleLoader loader(Map<String, String> stdlib) {
        return new ModuleLoader(diags, path -> Optional.ofNullable(stdlib.get(path)));
    }

    List<String> errors() {
        return diags.sorted().stream().map(d -> d.span().source().path().replace(dir + "/", "") + ":"
                + d.span().line() + ": " + d.message().replace(dir + "/", "")).toList();
    }

    @Test void loadsRelativeImportsTransitivelyEachOnce() throws IOException {
        Path main = write("main.dl", "use \"lib/blocks.dl\"\nuse \"util.dl\"\nfn main_fn() = 1\n");
        write("lib/blocks.dl", "use \"../util.dl\"\nlayer Block() = seq { }\n");
        write("util.dl", "fn helper() = 2\n");
        Program program = loader(Map.of()).loadRoot(main);
        assertEquals(List.of(), errors());
        assertEquals(main.toString(), program.root().name());
        var names = List.copyOf(program.modules().keySet());
        // Each module comes after the modules it uses; the prelude first, the root last.
        assertEquals(List.of("std.losses", "std.optim", "std.schedules",
                dir + "/util.dl", dir + "/lib/blocks.dl", main.toString()), names);
        Module util = program.modules().get(dir + "/util.dl");
        assertSame(util, program.importsOf(program.modules().get(dir + "/lib/blocks.dl")).getFirst());
        assertEquals(2, program.importsOf(program.root()).size());
        assertSame(util, program.importsOf(program.root()).get(1));
    }

    @Test void displayPathsStayAsTheUserWroteThem() {
        Program program = ModuleLoader.loadString("examples/mlp.dl", "use \"missing.dl\"\n", diags);
        assertEquals("examples/mlp.dl", program.root().source().path());
        assertEquals(List.of("examples/mlp.dl:1: cannot read \"missing.dl\" (looked for examples/missing.dl): no such file"),
                errors());
    }

    @Test void loadStringResolvesAgainstThePathsDirectory() throws IOException {
        write("blocks.dl", "layer Block() = seq { }\n");
        Program program = ModuleLoader.loadString(dir.resolve("main.dl").toString(), "use \"blocks.dl\"\n", diags);
        assertEquals(List.of(), errors());
        assertEquals(1, program.importsOf(program.root()).size());
    }

    @Test void aMissingRootFileIsAnError() {
        Program program = ModuleLoader.load(dir.resolve("nope.dl"), diags);
        assertEquals(List.of("nope.dl:1: cannot read nope.dl: no such file"), errors());
        assertTrue(program.root().decls().isEmpty());
    }

    @Test void anImportCycleIsReportedAtTheUseThatClosesIt() throws IOException {
        Path a = write("a.dl", "use \"b.dl\"\nfn fa() = 1\n");
        write("b.dl", "fn fb() = 1\nuse \"a.dl\"\n");
        loader(Map.of()).loadRoot(a);
        assertEquals(List.of("b.dl:2: import cycle: 'a.dl' uses itself"), errors());
        Diagnostic d = diags.list().getFirst();
        assertEquals("the cycle is " + a + " -> " + dir + "/b.dl -> " + a, d.notes().getFirst().message());
    }

    @Test void aModuleThatUsesItselfIsACycle() throws IOException {
        loader(Map.of()).loadRoot(write("self.dl", "use \"self.dl\"\n"));
        assertEquals(List.of("self.dl:1: import cycle: 'self.dl' uses itself"), errors());
    }

    @Test void unknownStdModulesGetASuggestion() {
        ModuleLoader.loadString("m.dl", "use std.nnn\nuse std.visoin\nuse torch.nn\n", diags);
        assertEquals(List.of(
                "m.dl:1: unknown module 'std.nnn' (did you mean 'std.nn'?)",
                "m.dl:2: unknown module 'std.visoin' (did you mean 'std.vision'?)",
                "m.dl:3: unknown module 'torch.nn' (the stdlib modules are std.nn, std.losses, std.optim, "
                        + "std.schedules, std.data, std.vision, std.text)"), errors());
    }

    @Test void stdModulesComeFromTheStdlibAndAreParsedOnce() {
        var stdlib = Map.of("std/nn.dl", "use std.losses\nlayer Linear(out: Int) = seq { }\n",
                "std/losses.dl", "fn mse(a, b) = mean((a - b) ** 2)\n");
        Program program = loader(stdlib).loadRoot(new dev.dlc.diag.Source("m.dl", "use std.nn\nuse std.nn\n"));
        assertEquals(List.of(), errors());
        Module nn = program.modules().get("std.nn");
        assertEquals("std/nn.dl", nn.source().path());
        assertEquals(List.of(nn), program.importsOf(program.root()));
        assertSame(program.modules().get("std.losses"), program.prelude().getFirst());
        assertSame(program.prelude().getFirst(), program.importsOf(nn).getFirst());
    }

    @Test void aMissingStdlibIsEmptyNotAnError() {
        Program program = ModuleLoader.loadString("m.dl", "use std.nn\nfn f() = 1\n", diags);
        assertFalse(diags.hasErrors(), diags.render());
        assertEquals(3, program.prelude().size());
        assertTrue(program.modules().get("std.nn").decls().isEmpty());
    }

    @Test void aStdlibModuleThatFailsToParseReportsWhere() {
        loader(Map.of("std/optim.dl", "optimizer sgd(lr {\n}\n")).loadRoot(new dev.dlc.diag.Source("m.dl", ""));
        assertEquals(List.of("std/optim.dl:1: expected ',' or ')' but found '{'"), errors());
    }
}
