package dev.dlc.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every damaged file is a {@link CheckpointError} that names the file and what is wrong, never another exception. */
class CheckpointCorruptionTest {
    @TempDir Path tmp;

    private static final byte[] GOOD = good();
    private static final int N = (int) ByteBuffer.wrap(GOOD, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();

    private static byte[] good() {
        try {
            var slots = new LinkedHashMap<String, Tensor>();
            slots.put("fc.w", Tensor.of(DType.F32, new int[] {2, 3}, 1, 2, 3, 4, 5, 6));
            slots.put("mask", Tensor.of(DType.BOOL, new int[] {3}, 1, 0, 1));
            slots.put("count", Tensor.of(DType.I64, new int[] {1}, 12));
            Path dir = Files.createTempDirectory("good-checkpoint");
            Checkpoint.save(dir, new Checkpoint.State("mlp", "train mlp { epochs = 2 }", 7, 1, 30, slots));
            byte[] b = Files.readAllBytes(Checkpoint.file(dir));
            Files.delete(Checkpoint.file(dir));
            Files.delete(dir);
            return b;
        } catch (IOException | CheckpointError e) {
            throw new AssertionError(e);
        }
    }

    private static String header() { return new String(GOOD, 8, N, StandardCharsets.UTF_8); }
    private static byte[] data() { return Arrays.copyOfRange(GOOD, 8 + N, GOOD.length); }

    /** A file of the given header (its length recomputed) and data. */
    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        var b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    /** The good file with {@code from} replaced in its header; fails if the header has no {@code from}. */
    private static byte[] edit(String from, String to) {
        if (!header().contains(from)) throw new AssertionError("the header has no " + from + ": " + header());
        return file(header().replace(from, to), data());
    }

    /** As {@link #edit}, with the header digest made to match: an edit by hand, as a careful user might make. */
    @SuppressWarnings("unchecked")
    private static byte[] resigned(String from, String to) {
        try {
            var h = (Map<String, Object>) Json.parse(new String(edit(from, to), 8, N - (from.length() - to.length()), StandardCharsets.UTF_8));
            ((Map<String, Object>) h.get("__metadata__")).put(SafeTensors.HEADER_SHA256, SafeTensors.headerSha256(h));
            return file(Json.write(h), data());
        } catch (Json.SyntaxError e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] withLength(long n) {
        byte[] b = GOOD.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
        return b;
    }

    private static byte[] flip(int at) {
        byte[] b = GOOD.clone();
        b[at] ^= 0x01;
        return b;
    }

    record Corruption(String name, byte[] bytes, String error) {}

    static Stream<Corruption> corruptions() {
        int size = GOOD.length;
        return Stream.of(
                new Corruption("empty", new byte[0], "truncated: 0 bytes, shorter than the 8-byte header length"),
                new Corruption("cut in the length", Arrays.copyOf(GOOD, 7), "truncated: 7 bytes, shorter than the 8-byte header length"),
                new Corruption("cut after the length", Arrays.copyOf(GOOD, 8), "bad header length " + N + ": the file holds 0 bytes after it"),
                new Corruption("cut in the header", Arrays.copyOf(GOOD, 8 + N / 2), "bad header length " + N + ": the file holds " + N / 2 + " bytes after it"),
                new Corruption("cut after the header", Arrays.copyOf(GOOD, 8 + N), "truncated: tensor fc.w has data_offsets [0, 24] but the file holds 0 bytes of tensor data"),
                new Corruption("cut in the data", Arrays.copyOf(GOOD, 8 + N + 10), "truncated: tensor fc.w has data_offsets [0, 24] but the file holds 10 bytes of tensor data"),
                new Corruption("last byte missing", Arrays.copyOf(GOOD, size - 1), "truncated: tensor count has data_offsets [27, 35] but the file holds 34 bytes of tensor data"),
                new Corruption("bytes appended", Arrays.copyOf(GOOD, size + 3), "size mismatch: the header accounts for 35 bytes of tensor data, the file holds 38"),
                new Corruption("length all ones", withLength(-1), "bad header length 18446744073709551615: the file holds " + (size - 8) + " bytes after it and headers stop at 100000000"),
                new Corruption("length zero", withLength(0), "bad header length 0: the file holds " + (size - 8) + " bytes after it"),
                new Corruption("length one short", withLength(N - 1), "size mismatch: the header accounts for 35 bytes of tensor data, the file holds 36"),
                new Corruption("length into the data", withLength(N + 8), "bad header: not UTF-8 text"),
                new Corruption("brace flipped", flip(8), "bad JSON in the header: expected a value at character 0, found 'z'"),
                new Corruption("not an object", file("[]      ", data()), "bad header: not a JSON object"),
                new Corruption("nested too deep", file("[".repeat(100) + "]".repeat(100), data()), "bad JSON in the header: nesting deeper than 64 at character 65"),
                new Corruption("not UTF-8", notUtf8(), "bad header: not UTF-8 text"),
                new Corruption("duplicate key", edit("\"mask\":", "\"fc.w\":"), "bad JSON in the header: duplicate key \"fc.w\" at character " + header().indexOf("\"mask\":")),
                new Corruption("unknown dtype", edit("\"F32\"", "\"F99\""), "bad header: tensor fc.w has unknown dtype \"F99\""),
                new Corruption("negative size", edit("[2,3]", "[-2,3]"), "bad header: tensor fc.w has shape [-2, 3]: sizes are whole numbers from 0"),
                new Corruption("over 2 GiB", edit("\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]", "\"F64\",\"shape\":[300000000],\"data_offsets\":[0,2400000000]"),
                        "bad header: tensor fc.w is over 2 GiB, more than dlc reads"),
                new Corruption("offsets too long", edit("[0,24]", "[0,25]"), "size mismatch: tensor fc.w is f32[2,3], 24 bytes, but its data_offsets [0, 25] hold 25"),
                new Corruption("offsets backwards", edit("[0,24]", "[24,0]"), "bad header: tensor fc.w has data_offsets [24, 0], expected [begin, end] with 0 <= begin <= end"),
                new Corruption("offsets not a pair", edit("[0,24]", "[0]"), "bad header: tensor fc.w has data_offsets [0], expected [begin, end] with 0 <= begin <= end"),
                new Corruption("overlapping tensors", edit("[24,27]", "[23,26]"), "offsets out of range: tensor mask starts at 23, expected 24 (tensors lie back to back without holes or overlaps)"),
                new Corruption("a tensor not an object", edit("{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[24,27]}", "7"), "bad header: tensor mask is not an object"),
                new Corruption("metadata not strings", edit("\"step\":\"30\"", "\"step\":30"), "bad header: __metadata__ \"step\" is not a string"),
                new Corruption("not a checkpoint", edit("\"format\":\"dlc-checkpoint\",", ""), "not a dlc checkpoint (no \"format\": \"dlc-checkpoint\" in __metadata__)"),
                new Corruption("newer format", edit("\"format_version\":\"1\"", "\"format_version\":\"2\""), "format version 2 is newer than this dlc reads (1)"),
                new Corruption("bad step", resigned("\"step\":\"30\"", "\"step\":\"3x\""), "bad step \"3x\" in __metadata__, expected a whole number"),
                new Corruption("no job", resigned("\"job\":\"mlp\",", ""), "no \"job\" in __metadata__"),
                new Corruption("header edited", edit("epochs = 2", "epochs = 3"), "corrupt: the header does not match its SHA-256"),
                new Corruption("source edited", resigned("epochs = 2", "epochs = 3"), "corrupt: the source text does not match its SHA-256 in the header"),
                new Corruption("data byte flipped", flip(8 + N + 1), "corrupt: the tensor data does not match its SHA-256 in the header"),
                new Corruption("bool byte not 0 or 1", boolTwo(), "bad data: tensor mask is bool but element 0 is the byte 3"));
    }

    /** The first bool made 3: the data digest would catch it too, the decoder first. */
    private static byte[] boolTwo() {
        byte[] b = GOOD.clone();
        b[8 + N + 24] = 3;
        return b;
    }

    /** A header holding a byte that is not UTF-8. */
    private static byte[] notUtf8() {
        byte[] b = file("{\"?\":{}}", data());
        b[10] = (byte) 0xFF;
        return b;
    }

    @TestFactory Stream<DynamicTest> eachCorruptionHasItsMessage() {
        return corruptions().map(c -> dynamicTest(c.name(), () -> {
            Path dir = tmp.resolve(c.name().replace(' ', '-'));
            Files.createDirectories(dir);
            Files.write(Checkpoint.file(dir), c.bytes());
            var e = assertThrows(CheckpointError.class, () -> Checkpoint.load(dir));
            assertEquals(Checkpoint.file(dir) + ": " + c.error(), e.getMessage());
        }));
    }

    @Test void theGoodFileLoads() throws Exception {
        Files.write(Checkpoint.file(tmp), GOOD);
        assertEquals(30, Checkpoint.load(tmp).step());
    }

    @Test void aMissingFileSaysSo() {
        var e = assertThrows(CheckpointError.class, () -> Checkpoint.load(tmp.resolve("runs/none")));
        assertEquals(tmp.resolve("runs/none").resolve(Checkpoint.FILE) + ": no such file", e.getMessage());
    }

    @Test void aCheckpointUnderAFileSaysSo() throws IOException {
        Path file = Files.writeString(tmp.resolve("runs"), "a file, not a directory");
        var e = assertThrows(CheckpointError.class, () -> Checkpoint.load(file));
        assertEquals("cannot read " + Checkpoint.file(file) + ": Not a directory", e.getMessage());
    }

    @Test void everyTruncationIsACheckpointError() throws IOException {
        for (int cut = 0; cut < GOOD.length; cut++) expectError(Arrays.copyOf(GOOD, cut), "cut at " + cut);
    }

    /**
     * A flipped bit anywhere is caught: in the header by the parser or its digest, in the data
     * by its digest. One bit per byte, a different one from byte to byte, keeps this fast.
     */
    @Test void everyFlippedByteIsACheckpointError() throws IOException {
        for (int at = 0; at < GOOD.length; at++) {
            byte[] b = GOOD.clone();
            b[at] ^= (byte) (1 << at % 8);
            expectError(b, "bit " + at % 8 + " of byte " + at);
        }
    }

    private void expectError(byte[] bytes, String what) throws IOException {
        Files.write(Checkpoint.file(tmp), bytes);
        try {
            Checkpoint.load(tmp);
            fail(what + " was not detected");
        } catch (CheckpointError e) {
            assertTrue(e.getMessage().startsWith(Checkpoint.file(tmp) + ": "), what + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new AssertionError(what + " threw " + e, e);
        }
    }
}
