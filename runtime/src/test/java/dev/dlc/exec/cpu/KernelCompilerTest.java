package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ops.kernels.CounterRng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel cache: a second load does not compile, a damaged entry is compiled again; and dropout's vector draw. */
class KernelCompilerTest {
    @TempDir Path dir;
    private String saved;

    /** A program class writing 7 at f[0][k], with a marker so every test gets its own source. */
    private static String source(String marker) {
        return new JavaVectorDialect().header("%CLASS%") + "    // " + marker + "\n"
                + "    static void k0(Frame fr) { fr.f[0][0] = 7f; }\n\n" + new JavaVectorDialect().footer(java.util.List.of(0));
    }

    @BeforeEach void useTempCache() {
        saved = System.getProperty("dlc.kernel.cache");
        System.setProperty("dlc.kernel.cache", dir.toString());
    }

    @AfterEach void restore() {
        if (saved == null) System.clearProperty("dlc.kernel.cache");
        else System.setProperty("dlc.kernel.cache", saved);
    }

    private static float runs(GeneratedKernels k) {
        var frame = new Frame(new float[][] {new float[1]}, new int[0][], new double[0][]);
        k.run(0, frame);
        return frame.f[0][0];
    }

    private Path entry(String src) { return dir.resolve(KernelCompiler.className(src) + ".class.bin"); }

    @Test
    void aSecondLoadComesFromTheCacheWithoutCompiling() {
        String src = source("second load " + System.nanoTime());
        int before = KernelCompiler.COMPILED.get();
        assertEquals(7f, runs(KernelCompiler.load(src)));
        assertEquals(before + 1, KernelCompiler.COMPILED.get(), "the first load compiles");
        assertTrue(Files.isRegularFile(entry(src)), "and writes the cache entry");
        assertEquals(7f, runs(KernelCompiler.load(src)));
        assertEquals(before + 1, KernelCompiler.COMPILED.get(), "the second load does not compile");
    }

    @Test
    void aDamagedEntryIsCompiledAgainNeverAnError() throws Exception {
        String src = source("damaged " + System.nanoTime());
        KernelCompiler.load(src);
        byte[] good = Files.readAllBytes(entry(src));
        byte[][] damaged = {new byte[0], java.util.Arrays.copyOf(good, good.length / 2), flip(good, 40), flip(good, good.length - 1)};
        for (byte[] bad : damaged) {
            Files.write(entry(src), bad);
            int before = KernelCompiler.COMPILED.get();
            assertEquals(7f, runs(KernelCompiler.load(src)));
            assertEquals(before + 1, KernelCompiler.COMPILED.get(), "a damaged entry of " + bad.length + " bytes is compiled again");
            assertTrue(java.util.Arrays.equals(good, Files.readAllBytes(entry(src))), "and replaced by a good one");
        }
    }

    @Test
    void anotherSourceIsAnotherEntry() {
        assertNotEquals(KernelCompiler.className(source("a")), KernelCompiler.className(source("b")));
    }

    private static byte[] flip(byte[] b, int at) {
        byte[] c = b.clone();
        c[at] ^= 0x10;
        return c;
    }

    @Test
    void dropoutsVectorDrawIsTheInterpretersDraw() {
        var rng = new SplittableRandom(1);
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        for (int trial = 0; trial < 2000; trial++) {
            long key = rng.nextLong(), first = rng.nextInt(1 << 20);
            double p = trial % 3 == 0 ? 0.5 : rng.nextDouble();
            long bits = DropoutMask.keep(key, first, DropoutMask.threshold(p));
            for (int l = 0; l < lanes; l++)
                assertEquals(CounterRng.uniform(key, first + l) >= p, (bits >>> l & 1) == 1, "key " + key + " element " + (first + l) + " p " + p);
            assertEquals(0, bits >>> lanes, "no bits past the lanes");
        }
    }
}
