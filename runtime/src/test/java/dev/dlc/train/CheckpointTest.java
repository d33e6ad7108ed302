package dev.dlc.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.data.Batches;
import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir Path tmp;

    /** Slots of every dtype, with the values that break careless encoders. */
    static final Map<String, Tensor> SLOTS = slots();

    private static Map<String, Tensor> slots() {
        var m = new LinkedHashMap<String, Tensor>();
        m.put("fc.w", Tensor.of(DType.F32, new int[] {2, 3}, 0.1f, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, Float.NaN));
        m.put("fc.b", Tensor.of(DType.F64, new int[] {4}, Math.PI, -0.0, Double.MIN_VALUE, 1e308));
        m.put("bn.count", Tensor.of(DType.I32, new int[] {3}, Integer.MIN_VALUE, -1, Integer.MAX_VALUE));
        m.put("bn.steps", Tensor.of(DType.I64, new int[] {2}, -(1L << 53), 1L << 53));
        m.put("mask", Tensor.of(DType.BOOL, new int[] {2, 2}, 1, 0, 0, 1));
        m.put("half", Tensor.of(DType.F16, new int[] {2}, Tensor.fit(DType.F16, 0.1), 65504));
        m.put("brain", Tensor.of(DType.BF16, new int[] {2}, Tensor.fit(DType.BF16, 0.1), Tensor.fit(DType.BF16, -3.0e38)));
        m.put("optimizer.t", Tensor.scalar(DType.F32, 7));
        m.put("empty", Tensor.of(DType.F32, new int[] {0, 5}));
        return m;
    }

    static final String SOURCE = "# a \"model\" ünïcode\ntrain mlp {\n\tepochs = 2\n}\n";
    static final Checkpoint.State STATE = new Checkpoint.State("mlp", SOURCE, -42, 3, 1234, SLOTS);

    // ---------------------------------------------------------------- round trips

    @Test void roundTripIsExact() throws CheckpointError {
        Checkpoint.save(tmp, STATE);
        var back = Checkpoint.load(tmp);
        assertEquals(STATE, back, "Tensor.equals compares doubles bit for bit (NaN aside), so -0.0, subnormals and infinities survive");
        assertEquals(List.copyOf(SLOTS.keySet()), List.copyOf(back.slots().keySet()), "slot order is kept");
        assertEquals("f32[2,3]", back.types().get("fc.w").toString());
    }

    @Test void f32IsStoredAsFloatBits() throws CheckpointError {
        var state = new Checkpoint.State("j", "", 0, 0, 0, Map.of("w", Tensor.of(DType.F32, new int[] {1}, 1.0 / 3)));
        Checkpoint.save(tmp, state);
        assertEquals((double) (float) (1.0 / 3), Checkpoint.load(tmp).slots().get("w").at(0), "a double in an f32 slot rounds as the dtype does");
    }

    @Test void savingAgainReplacesTheCheckpoint() throws CheckpointError, IOException {
        Checkpoint.save(tmp, STATE);
        var later = new Checkpoint.State("mlp", SOURCE, -42, 4, 2000, SLOTS);
        Checkpoint.save(tmp, later);
        assertEquals(later, Checkpoint.load(tmp));
        assertEquals(List.of(Checkpoint.FILE), listing(tmp), "no temporary files are left behind");
    }

    /** Read the file as another safetensors reader would: length, JSON header, aligned little-endian data. */
    @Test void theFileIsSafetensors() throws Exception {
        Checkpoint.save(tmp, STATE);
        byte[] file = Files.readAllBytes(Checkpoint.file(tmp));
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "the header is padded so that the data is 8-byte aligned");
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"dlc-checkpoint\",\"format_version\":\"1\""), header);
        var entry = Pattern.compile("\"([^\"]+)\":\\{\"dtype\":\"([A-Z0-9]+)\",\"shape\":\\[([0-9,]*)\\],\"data_offsets\":\\[(\\d+),(\\d+)\\]\\}");
        var m = entry.matcher(header);
        var names = new ArrayList<String>();
        long at = 0;
        while (m.find()) {
            names.add(m.group(1));
            assertEquals(at, Long.parseLong(m.group(4)), "tensors lie back to back in header order");
            at = Long.parseLong(m.group(5));
            if (m.group(1).equals("fc.w")) {
                assertEquals("F32", m.group(2));
                assertEquals("2,3", m.group(3));
                var data = ByteBuffer.wrap(file, (int) (8 + n + Long.parseLong(m.group(4))), 24).order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(Float.floatToRawIntBits(0.1f), data.getInt(), "f32 is a 4-byte little-endian float");
            }
            if (m.group(1).equals("bn.steps")) assertEquals("I64", m.group(2));
            if (m.group(1).equals("mask")) assertEquals(4, at - Long.parseLong(m.group(4)), "a bool is one byte");
        }
        assertEquals(List.copyOf(SLOTS.keySet()), names);
        assertEquals(file.length - 8 - n, at, "the data ends the file");
    }

    // ---------------------------------------------------------------- the random generator

    @Test void theManifestNamesTheGeneratorAndTheStateItContinuesFrom() throws Exception {
        Checkpoint.save(tmp, STATE);
        var m = SafeTensors.read(Checkpoint.file(tmp)).metadata();
        assertEquals(Checkpoint.RNG_GENERATOR, m.get("rng_generator"));
        // saved after epoch 3 and step 1234 with seed -42
        assertEquals("{\"seed\":\"-42\",\"next_epoch\":\"4\",\"next_step\":\"1235\"}", m.get("rng_state"));
        assertEquals(Checkpoint.RNG, m.get("rng"));
    }

    /** The shuffle is what the manifest's description says, so another reader can continue it. */
    @Test void theShuffleIsTheDescribedFisherYates() {
        long seed = -42;
        int epoch = 4, n = 50;
        var rng = new Random(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] order = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        assertArrayEquals(order, Batches.order(n, true, seed, epoch));
    }

    @Test void aCheckpointOfAnotherGeneratorIsRefused() throws Exception {
        Checkpoint.save(tmp, STATE);
        var c = SafeTensors.read(Checkpoint.file(tmp));
        var meta = new LinkedHashMap<>(c.metadata());
        meta.put("rng_generator", "philox-4x32-10");
        try (var ch = FileChannel.open(Checkpoint.file(tmp), StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            SafeTensors.write(ch, c.tensors(), meta);
        }
        var e = assertThrows(CheckpointError.class, () -> Checkpoint.load(tmp));
        assertEquals(Checkpoint.file(tmp) + ": its random generator is philox-4x32-10, this dlc draws with " + Checkpoint.RNG_GENERATOR
                + "; resuming would not continue the same shuffles and dropout masks", e.getMessage());
    }

    // ---------------------------------------------------------------- atomic saves

    /** A channel that accepts {@code limit} bytes, then fails as a full disk does. */
    static WritableByteChannel failingAfter(WritableByteChannel inner, long limit) {
        return new WritableByteChannel() {
            long written;
            @Override public int write(ByteBuffer src) throws IOException {
                if (written + src.remaining() > limit) {
                    var part = src.slice().limit((int) (limit - written));
                    written += inner.write(part);
                    src.position(src.position() + part.position());
                    throw new IOException("No space left on device");
                }
                int n = inner.write(src);
                written += n;
                return n;
            }
            @Override public boolean isOpen() { return inner.isOpen(); }
            @Override public void close() throws IOException { inner.close(); }
        };
    }

    @TestFactory Stream<DynamicTest> aFailedSaveKeepsThePreviousCheckpoint() throws Exception {
        Checkpoint.save(tmp.resolve("size"), STATE);
        long size = Files.size(Checkpoint.file(tmp.resolve("size")));
        return Stream.of(0L, 3L, 8L, 100L, size / 2, size - 1).map(limit -> dynamicTest("fail after " + limit + " bytes", () -> {
            Path dir = tmp.resolve("run" + limit);
            var old = new Checkpoint.State("mlp", SOURCE, 1, 1, 10, SLOTS);
            Checkpoint.save(dir, old);
            var e = assertThrows(CheckpointError.class, () -> Checkpoint.save(dir, STATE, ch -> failingAfter(ch, limit)));
            assertEquals("cannot save checkpoint " + dir + ": No space left on device", e.getMessage());
            assertEquals(old, Checkpoint.load(dir), "the old checkpoint survives");
            assertEquals(List.of(Checkpoint.FILE), listing(dir), "the temporary file is removed");
        }));
    }

    @Test void aFailedFirstSaveLeavesNoCheckpoint() throws IOException {
        assertThrows(CheckpointError.class, () -> Checkpoint.save(tmp, STATE, ch -> failingAfter(ch, 50)));
        assertFalse(Checkpoint.exists(tmp));
        assertEquals(List.of(), listing(tmp));
    }

    @Test void aDirectoryThatIsAFileIsAClearError() throws IOException {
        Path file = Files.writeString(tmp.resolve("runs"), "not a directory");
        var e = assertThrows(CheckpointError.class, () -> Checkpoint.save(file, STATE));
        assertTrue(e.getMessage().startsWith("cannot save checkpoint " + file + ": "), e.getMessage());
    }

    private static List<String> listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---------------------------------------------------------------- checking against the model

    record Case(String name, Map<String, Type.Tensor> model, String error) {}

    @TestFactory Stream<DynamicTest> checkNamesTheFirstDifference() {
        var saved = new Checkpoint.State("mlp", "", 0, 1, 1, Map.of("fc.w", Tensor.filled(DType.F32, new int[] {784, 256}, 0)));
        var w = Type.tensor(DType.F32, 784, 256);
        return Stream.of(
                new Case("same model", Map.of("fc.w", w), null),
                new Case("other shape", Map.of("fc.w", Type.tensor(DType.F32, 784, 128)),
                        "checkpoint runs/mlp has fc.w as f32[784,256], the model has f32[784,128]"),
                new Case("other dtype", Map.of("fc.w", Type.tensor(DType.F64, 784, 256)),
                        "checkpoint runs/mlp has fc.w as f32[784,256], the model has f64[784,256]"),
                new Case("missing slot", ordered("fc.w", w, "fc.b", Type.tensor(DType.F32, 256)),
                        "checkpoint runs/mlp has no fc.b, the model has fc.b as f32[256] (a checkpoint of another model?)"),
                new Case("extra slot", Map.of(),
                        "checkpoint runs/mlp has fc.w as f32[784,256], the model has no fc.w (a checkpoint of another model?)")
        ).map(c -> dynamicTest(c.name(), () -> {
            if (c.error() == null) Checkpoint.check(Path.of("runs/mlp"), saved, c.model());
            else assertEquals(c.error(), assertThrows(CheckpointError.class, () -> Checkpoint.check(Path.of("runs/mlp"), saved, c.model())).getMessage());
        }));
    }

    private static Map<String, Type.Tensor> ordered(String k1, Type.Tensor v1, String k2, Type.Tensor v2) {
        var m = new LinkedHashMap<String, Type.Tensor>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
