package dev.dlc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ops.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    private static final Path ROOT = Path.of(FashionMnist.DEFAULT_ROOT);
    private static Split real;

    @BeforeAll static void load() throws DataError {
        if (!Files.isDirectory(ROOT)) return;
        long t0 = System.nanoTime();
        real = DataSets.open("fashion_mnist", Map.of("batch", 256L));
        System.out.printf("fashion_mnist: loaded 60000 + 10000 images in %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static Split real() {
        Assumptions.assumeTrue(real != null, "Fashion-MNIST is not installed at " + ROOT + " (apt-get install " + FashionMnist.PACKAGE + "); skipping");
        return real;
    }

    @Test void sizes() {
        assertEquals(60000, real().train().size());
        assertEquals(10000, real().test().size());
    }

    @Test void firstLabelsAreThoseOfTheDistribution() {
        // Ankle boot, T-shirt, T-shirt, Dress, T-shirt, Pullover, Sneaker, Pullover, Sandal, Sandal.
        assertArrayEquals(new double[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, labels(real().train(), 10));
        // Ankle boot, Pullover, Trouser, Trouser, Shirt, Trouser, Coat, Shirt, Sandal, Sneaker.
        assertArrayEquals(new double[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, labels(real().test(), 10));
    }

    @Test void everyClassAppearsAndLabelsAreInRange() {
        double[] y = labels(real().train(), 60000);
        var counts = new int[10];
        for (double v : y) counts[(int) v]++;
        for (int c : counts) assertEquals(6000, c, "Fashion-MNIST's training set is balanced");
    }

    @Test void pixelsAreInTheUnitIntervalWithTheDeclaredType() {
        List<Tensor> b = real().train().batch(IntStream.range(0, 256).toArray());
        assertEquals("f32[256,1,28,28]", b.get(0).type().toString());
        assertEquals("i32[256]", b.get(1).type().toString());
        assertEquals(real().train().elementTypes(256), b.stream().map(Tensor::type).toList());
        double[] x = b.get(0).toArray();
        assertEquals(0, Arrays.stream(x).min().orElseThrow());
        assertEquals(1, Arrays.stream(x).max().orElseThrow());
        for (double v : x) assertEquals((float) v, v, "pixels are f32 values");
    }

    @Test void batchIntoCopiesTheSamePixelsAndLabels() throws DataError {
        int[] which = {59999, 7, 31337};
        List<Tensor> b = real().train().batch(which);
        var x = new float[3 * 784];
        var y = new int[3];
        real().train().batchInto(which, 0, x);
        real().train().batchInto(which, 1, y);
        for (int i = 0; i < x.length; i++) assertEquals(b.get(0).at(i), x[i]);
        for (int i = 0; i < y.length; i++) assertEquals(b.get(1).at(i), y[i]);
        var resized = DataSets.open("fashion_mnist", Map.of("batch", 4L, "resize", 32L)).test();
        var r = new float[3 * 32 * 32];
        resized.batchInto(new int[] {1, 2, 3}, 0, r);
        List<Tensor> rb = resized.batch(new int[] {1, 2, 3});
        for (int i = 0; i < r.length; i++) assertEquals((float) rb.get(0).at(i), r[i]);
    }

    @Test void resizeKeepsTheRangeAndTheMean() throws DataError {
        Assumptions.assumeTrue(Files.isDirectory(ROOT), "Fashion-MNIST is not installed; skipping");
        var big = DataSets.open("fashion_mnist", Map.of("batch", 4L, "resize", 224L)).train();
        Tensor small = real().train().batch(new int[] {0}).get(0), x = big.batch(new int[] {0}).get(0);
        assertEquals("f32[1,1,224,224]", x.type().toString());
        double[] v = x.toArray();
        assertTrue(Arrays.stream(v).allMatch(p -> p >= 0 && p <= 1));
        // Upsampling by 8 averages neighbours: the mean brightness barely moves.
        assertEquals(Arrays.stream(small.toArray()).average().orElseThrow(), Arrays.stream(v).average().orElseThrow(), 0.01);
    }

    // ---------------------------------------------------------------- files made here

    @Test void readsASmallIdxFileAndResizesIt(@TempDir Path dir) throws Exception {
        writeIdx(dir.resolve("train-images-idx3-ubyte.gz"), new int[] {2, 2, 2}, new byte[] {0, (byte) 255, 0, (byte) 255, 0, 0, 0, 0});
        writeIdx(dir.resolve("train-labels-idx1-ubyte.gz"), new int[] {2}, new byte[] {3, 4});
        writeIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), new int[] {1, 2, 2}, new byte[4]);
        writeIdx(dir.resolve("t10k-labels-idx1-ubyte.gz"), new int[] {1}, new byte[] {0});
        var s = DataSets.open("fashion_mnist", Map.of("batch", 2L, "root", dir.toString(), "resize", 4L));
        Tensor x = s.train().batch(new int[] {0}).get(0);
        // Columns 0 | 1 (black | white) resampled to 4 with half-pixel centres: 0, 0.25, 0.75, 1.
        assertArrayEquals(new double[] {0, 0.25, 0.75, 1}, Arrays.copyOf(x.toArray(), 4), 1e-7);
        assertArrayEquals(new double[] {3, 4}, s.train().batch(new int[] {0, 1}).get(1).toArray());
    }

    @Test void aTruncatedFileIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("train-images-idx3-ubyte.gz");
        writeIdx(f, new int[] {3, 28, 28}, new byte[28 * 28]);   // header says 3 images, body holds 1
        var e = assertThrows(DataError.class, () -> Idx.read(f, 3));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test void aCutGzipStreamIsAnErrorNamingTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t10k-labels-idx1-ubyte.gz");
        writeIdx(f, new int[] {1000}, new byte[1000]);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        var e = assertThrows(DataError.class, () -> Idx.read(f, 1));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test void aWrongMagicNumberOrRankIsAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.gz");
        writeIdx(f, new int[] {2}, new byte[2]);
        var e = assertThrows(DataError.class, () -> Idx.read(f, 3));
        assertEquals(f + ": an IDX file of rank 1, expected rank 3", e.getMessage());
        Files.write(f, gzip(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        e = assertThrows(DataError.class, () -> Idx.read(f, 1));
        assertTrue(e.getMessage().contains("magic number 0x01020304"), e.getMessage());
        Files.write(f, new byte[] {1, 2, 3});
        e = assertThrows(DataError.class, () -> Idx.read(f, 1));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
    }

    @Test void aMissingFolderNamesThePackage(@TempDir Path dir) {
        var e = assertThrows(DataError.class, () -> DataSets.open("fashion_mnist", Map.of("batch", 2L, "root", dir.resolve("nowhere").toString())));
        assertTrue(e.getMessage().contains("no folder " + dir.resolve("nowhere")), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist") && e.getMessage().contains("root = "), e.getMessage());
    }

    @Test void aMissingFileNamesThePackage(@TempDir Path dir) {
        var e = assertThrows(DataError.class, () -> DataSets.open("fashion_mnist", Map.of("batch", 2L, "root", dir.toString())));
        assertTrue(e.getMessage().contains("no train-images-idx3-ubyte.gz in " + dir), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    private static double[] labels(DataSet d, int n) {
        return d.batch(IntStream.range(0, n).toArray()).get(1).toArray();
    }

    static void writeIdx(Path file, int[] dims, byte[] body) throws IOException {
        var raw = new ByteArrayOutputStream();
        var out = new DataOutputStream(raw);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) out.writeInt(d);
        out.write(body);
        Files.write(file, gzip(raw.toByteArray()));
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) { gz.write(bytes); }
        return out.toByteArray();
    }
}
