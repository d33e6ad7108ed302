package dev.dlc.exec.cpu;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Compiles a generated program class in memory with javac and caches its bytes on disk, named by
 * the SHA-256 of the source: a second run of the same program (same shapes, same generator)
 * loads the class without compiling. The folder is {@code ~/.cache/dlc/kernels}, or the system
 * property {@code dlc.kernel.cache}. A cache file is the class bytes followed by their SHA-256;
 * one that is short, fails that check or does not define a class is compiled again and
 * overwritten, never an error. Files are written to a temporary name and renamed, so a
 * concurrent reader sees a whole file or none.
 */
final class KernelCompiler {
    private KernelCompiler() {}

    /** Part of every hashed source: a change of the generator's output format must miss old entries. */
    static final String VERSION = "dlc-cpu-kernels 1";

    /** How many classes javac compiled in this JVM (the cache tests read it). */
    static final AtomicInteger COMPILED = new AtomicInteger();

    /** The class name a source gets: K + its hash; {@code %CLASS%} in the source is replaced by it. */
    static String className(String source) {
        return "K" + sha256(VERSION + "\n" + source).substring(0, 40);
    }

    static Path cacheDir() {
        String dir = System.getProperty("dlc.kernel.cache");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "dlc", "kernels");
    }

    /** The program class of {@code template} (its class name written as {@code %CLASS%}), from the cache or compiled. */
    static GeneratedKernels load(String template) {
        String name = className(template);
        String source = template.replace("%CLASS%", name);
        dump(name, source);
        Path file = cacheDir().resolve(name + ".class.bin");
        byte[] bytes = cached(file);
        if (bytes != null) {
            try {
                return instantiate(name, bytes);
            } catch (LinkageError | ReflectiveOperationException | ClassCastException e) {
                // A damaged entry that still passed the digest: compile again below.
            }
        }
        bytes = compile(name, source);
        store(file, bytes);
        try {
            return instantiate(name, bytes);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("generated class " + name + " cannot be instantiated", e);
        }
    }

    /** With {@code -Ddlc.kernel.dump=DIR}, every generated source is written there to be read. */
    private static void dump(String name, String source) {
        String dir = System.getProperty("dlc.kernel.dump");
        if (dir == null) return;
        try {
            Files.createDirectories(Path.of(dir));
            Files.writeString(Path.of(dir, name + ".java"), source);
        } catch (IOException e) {
            // a debugging aid only
        }
    }

    /** The class bytes of a cache file, or null when it is missing or does not check. */
    private static byte[] cached(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            if (all.length <= 32) return null;
            byte[] bytes = Arrays.copyOf(all, all.length - 32);
            return Arrays.equals(digest(bytes), Arrays.copyOfRange(all, all.length - 32, all.length)) ? bytes : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes a cache entry; a cache that cannot be written only costs the next run a compile. */
    private static void store(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            var out = new ByteArrayOutputStream();
            out.write(bytes);
            out.write(digest(bytes));
            Files.write(tmp, out.toByteArray());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // read-only home, full disk: keep going without the cache
        }
    }

    private static GeneratedKernels instantiate(String name, byte[] bytes) throws ReflectiveOperationException {
        var loader = new ClassLoader(KernelCompiler.class.getClassLoader()) {
            Class<?> define() { return defineClass("dlc.gen." + name, bytes, 0, bytes.length); }
        };
        Class<?> c = loader.define();
        return (GeneratedKernels) c.getDeclaredConstructor().newInstance();
    }

    /** javac in memory: the source in, one class file out. */
    static byte[] compile(String name, String source) {
        var javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("the cpu backend needs a JDK (javac), found a runtime without it");
        var diagnostics = new DiagnosticCollector<JavaFileObject>();
        var outputs = new LinkedHashMap<String, ByteArrayOutputStream>();
        try (var std = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8);
             var files = new ForwardingJavaFileManager<JavaFileManager>(std) {
                 @Override public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
                     return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                         @Override public OutputStream openOutputStream() {
                             var out = new ByteArrayOutputStream();
                             outputs.put(className, out);
                             return out;
                         }
                     };
                 }
             }) {
            var unit = new SimpleJavaFileObject(URI.create("string:///dlc/gen/" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return source; }
            };
            var options = List.of("--add-modules", "jdk.incubator.vector", "-classpath", classPath(), "-proc:none", "-nowarn", "-g", "-XDsuppressNotes");
            boolean ok = javac.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
            if (!ok) throw new IllegalStateException("generated kernel source does not compile:\n" + errors(diagnostics) + "\n" + numbered(source));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        COMPILED.incrementAndGet();
        var main = outputs.get("dlc.gen." + name);
        if (main == null || outputs.size() != 1) throw new IllegalStateException("javac wrote " + outputs.keySet() + " for " + name);
        return main.toByteArray();
    }

    /** The JVM's class path and the places of the classes generated code uses (a manifest-only jar under surefire lists them too). */
    private static String classPath() {
        var parts = new LinkedHashSet<String>();
        for (Class<?> c : List.of(KernelCompiler.class, dev.dlc.ops.Tensor.class)) {
            try {
                parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | NullPointerException | SecurityException e) {
                // no code source: the class path below must have it
            }
        }
        parts.addAll(List.of(System.getProperty("java.class.path", "").split(File.pathSeparator)));
        parts.remove("");
        return String.join(File.pathSeparator, parts);
    }

    private static String errors(DiagnosticCollector<JavaFileObject> d) {
        var sb = new StringBuilder();
        for (var x : d.getDiagnostics())
            if (x.getKind() == Diagnostic.Kind.ERROR) sb.append(x.getLineNumber()).append(": ").append(x.getMessage(null)).append('\n');
        return sb.toString();
    }

    private static String numbered(String source) {
        var lines = source.split("\n");
        var sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) sb.append(i + 1).append("  ").append(lines[i]).append('\n');
        return sb.toString();
    }

    static String sha256(String s) { return HexFormat.of().formatHex(digest(s.getBytes(StandardCharsets.UTF_8))); }

    private static byte[] digest(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For tests: the cache files of this JVM's cache folder. */
    static Map<String, Long> entries() throws IOException {
        var out = new LinkedHashMap<String, Long>();
        if (!Files.isDirectory(cacheDir())) return out;
        try (var s = Files.list(cacheDir())) {
            for (Path p : s.toList()) out.put(p.getFileName().toString(), Files.size(p));
        }
        return out;
    }
}
