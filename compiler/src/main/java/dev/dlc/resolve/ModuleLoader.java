package dev.dlc.resolve;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Module;
import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Source;
import dev.dlc.diag.Span;
import dev.dlc.parse.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Loads a root file and, transitively, what it {@code use}s, parsing each module once.
 * {@code use std.nn} reads the stdlib resource {@code std/nn.dl}; {@code use "blocks.dl"}
 * reads a file next to the importer. The prelude modules are loaded for every program.
 */
public final class ModuleLoader {
    /** Every stdlib module a {@code use} may name. */
    public static final List<String> STD_MODULES =
            List.of("std.nn", "std.losses", "std.optim", "std.schedules", "std.data", "std.vision", "std.text");
    /** Seen by every module without a {@code use}: the vocabulary of train blocks. */
    public static final List<String> PRELUDE = List.of("std.losses", "std.optim", "std.schedules");

    private final Diagnostics diags;
    private final Function<String, Optional<String>> stdlib;
    private final Map<String, Module> loaded = new LinkedHashMap<>();      // by key, in load order
    private final Map<String, List<Module>> imports = new HashMap<>();     // by module name
    private final List<Loading> loading = new ArrayList<>();               // the chain of unfinished uses

    /** A module being loaded: its cache key and the name a cycle report shows. */
    private record Loading(String key, String name) {}

    /** @param stdlib reads a stdlib resource ({@code std/nn.dl}) by path; empty when there is none */
    public ModuleLoader(Diagnostics diags, Function<String, Optional<String>> stdlib) {
        this.diags = diags;
        this.stdlib = stdlib;
    }

    public static Program load(Path file, Diagnostics diags) {
        return new ModuleLoader(diags, ModuleLoader::classPathResource).loadRoot(file);
    }

    /** For tests and embedders: {@code text} stands for the file at {@code path}, whose directory relative uses read. */
    public static Program loadString(String path, String text, Diagnostics diags) {
        return new ModuleLoader(diags, ModuleLoader::classPathResource).loadRoot(new Source(path, text));
    }

    public Program loadRoot(Path file) {
        try {
            return loadRoot(new Source(file.toString(), Files.readString(file)));
        } catch (IOException e) {
            var empty = new Source(file.toString(), "");
            diags.error(empty.span(0, 0), "cannot read " + file + ": " + why(e));
            return loadRoot(empty);
        }
    }

    public Program loadRoot(Source root) {
        List<Module> prelude = PRELUDE.stream().map(name -> loadStd(name, null)).flatMap(Optional::stream).toList();
        Module module = loadParsed(fileKey(root.path()), root);
        var modules = loaded.values().stream()
                .collect(Collectors.toMap(Module::name, m -> m, (a, _) -> a, LinkedHashMap::new));
        return new Program(module, modules, prelude, imports);
    }

    // ------------------------------------------------------------ one module

    /** Parses a module, then loads its uses; the module counts as loaded once its uses are. */
    private Module loadParsed(String key, Source source) {
        String name = key.startsWith("std:") ? key.substring(4) : source.path();
        Module module = key.startsWith("std:") ? parseStd(name, source) : Parser.parse(name, source, diags);
        loading.add(new Loading(key, name));
        var used = new ArrayList<Module>();
        for (Decl decl : module.decls()) {
            if (decl instanceof Decl.Use use) {
                resolve(module, use).filter(m -> used.stream().noneMatch(u -> u == m)).ifPresent(used::add);
            }
        }
        loading.removeLast();
        imports.put(name, List.copyOf(used));
        loaded.put(key, module);
        return module;
    }

    /**
     * Stdlib modules are parsed once per JVM: every compilation loads the prelude, and a
     * module's AST is immutable. Only modules that parsed without errors are kept, so a
     * broken stdlib still reports its errors every time.
     */
    private static final Map<String, Module> STD_CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    private Module parseStd(String name, Source source) {
        String cacheKey = name + "\0" + source.text();
        Module cached = STD_CACHE.get(cacheKey);
        if (cached != null) return cached;
        var local = new Diagnostics();
        Module module = Parser.parse(name, source, local);
        diags.addAll(local);
        if (!local.hasErrors()) STD_CACHE.put(cacheKey, module);
        return module;
    }

    private Optional<Module> resolve(Module from, Decl.Use use) {
        if (!use.isFile()) return loadStd(use.target(), use.span());
        if (from.name().startsWith("std.")) {
            diags.error(use.span(), "a stdlib module can only use other stdlib modules");
            return Optional.empty();
        }
        Path file;
        try {
            file = Path.of(from.source().path()).resolveSibling(use.target()).normalize();
        } catch (InvalidPathException e) {
            diags.error(use.span(), "invalid path \"" + use.target() + "\": " + e.getReason());
            return Optional.empty();
        }
        String key = fileKey(file.toString());
        if (isCycle(key, use.span())) return Optional.empty();
        if (loaded.containsKey(key)) return Optional.of(loaded.get(key));
        try {
            return Optional.of(loadParsed(key, new Source(file.toString(), Files.readString(file))));
        } catch (IOException e) {
            diags.error(use.span(), "cannot read \"" + use.target() + "\" (looked for " + file + "): " + why(e));
            return Optional.empty();
        }
    }

    /** A stdlib module; {@code at} is the use that asked for it, null for the prelude. */
    private Optional<Module> loadStd(String name, Span at) {
        if (!STD_MODULES.contains(name)) {
            String hint = Suggest.didYouMean(name, STD_MODULES)
                    .orElse("the stdlib modules are " + String.join(", ", STD_MODULES));
            diags.error(at, "unknown module '" + name + "' (" + hint + ")");
            return Optional.empty();
        }
        String key = "std:" + name;
        if (at != null && isCycle(key, at)) return Optional.empty();
        if (loaded.containsKey(key)) return Optional.of(loaded.get(key));
        String resource = name.replace('.', '/') + ".dl";
        // Without the stdlib jar on the class path (the compiler's own tests) a stdlib
        // module is empty: names from it are then reported as undefined where used.
        String text = stdlib.apply(resource).orElse("");
        return Optional.of(loadParsed(key, new Source(resource, text)));
    }

    /** A use of a module that is still loading closes a cycle: reported at that use. */
    private boolean isCycle(String key, Span at) {
        int start = -1;
        for (int i = 0; i < loading.size(); i++) if (loading.get(i).key().equals(key)) start = i;
        if (start < 0) return false;
        String cycle = Stream.concat(loading.subList(start, loading.size()).stream(), Stream.of(loading.get(start)))
                .map(Loading::name).collect(Collectors.joining(" -> "));
        diags.error(at, "import cycle: '" + loading.get(start).name() + "' uses itself",
                Diagnostics.note("the cycle is " + cycle));
        return true;
    }

    // ------------------------------------------------------------ reading

    /** One file is one module however it is reached, so the cache key is its real path. */
    private static String fileKey(String path) {
        try {
            return "file:" + Path.of(path).toRealPath();
        } catch (IOException | InvalidPathException e) {
            try {
                return "file:" + Path.of(path).toAbsolutePath().normalize();
            } catch (InvalidPathException bad) {
                return "file:" + path;
            }
        }
    }

    private static String why(IOException e) {
        return switch (e) {
            case NoSuchFileException _ -> "no such file";
            case CharacterCodingException _ -> "not valid UTF-8";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    /** Stdlib resources ship in a jar on the class path; the context loader sees it in containers, ours otherwise. */
    public static Optional<String> classPathResource(String path) {
        for (ClassLoader loader : new ClassLoader[] {Thread.currentThread().getContextClassLoader(), ModuleLoader.class.getClassLoader()}) {
            if (loader == null) continue;
            try (InputStream in = loader.getResourceAsStream(path)) {
                if (in != null) return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                // fall through to the next loader
            }
        }
        return Optional.empty();
    }
}
