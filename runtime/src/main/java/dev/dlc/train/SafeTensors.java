package dev.dlc.train;

import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets"}}}),
 * then the tensors' little-endian bytes back to back, offsets relative to the end of the
 * header. The writer puts the tensors in header order and pads the header with spaces to a
 * multiple of 8, as the reference writer does, so that every tensor starts aligned. The
 * reader accepts any order of the byte ranges but no holes, overlaps or trailing bytes.
 */
final class SafeTensors {
    private SafeTensors() {}

    /** The reference implementation refuses larger headers; so do we, before allocating one. */
    static final long MAX_HEADER = 100_000_000;

    /** The metadata key of the SHA-256 of the byte buffer, so that a flipped data byte is caught. */
    static final String DATA_SHA256 = "data_sha256";
    /**
     * The metadata key of the SHA-256 of the header's compact JSON without this key, so that a
     * flipped header byte that still parses (a digit of an offset, a letter of a name) is caught.
     */
    static final String HEADER_SHA256 = "header_sha256";

    /**
     * A file's tensors in header order, its metadata, and the SHA-256s of its byte buffer and
     * header as read (see {@link #DATA_SHA256} and {@link #HEADER_SHA256}).
     */
    record Contents(Map<String, Tensor> tensors, Map<String, String> metadata, String dataSha256, String headerSha256) {}

    /** What is wrong with a file; {@link #read} puts the file's name in front. */
    private static final class Malformed extends Exception {
        Malformed(String message) { super(message); }
    }

    // ---------------------------------------------------------------- dtypes

    /** The safetensors spelling of a dtype. */
    static String code(DType d) {
        return switch (d) {
            case F32 -> "F32";
            case F16 -> "F16";
            case BF16 -> "BF16";
            case F64 -> "F64";
            case I32 -> "I32";
            case I64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    private static DType dtype(String code) throws Malformed {
        for (DType d : DType.values()) if (code(d).equals(code)) return d;
        throw new Malformed("unknown dtype \"" + code + "\"");
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes tensors and metadata to {@code out}; adds {@link #DATA_SHA256} and
     * {@link #HEADER_SHA256} to the metadata.
     * Values are stored at their dtype's width (an f32 slot holding a double is rounded).
     */
    static void write(WritableByteChannel out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        var data = new ArrayList<byte[]>();
        for (Tensor t : tensors.values()) data.add(encode(t));
        var meta = new LinkedHashMap<>(metadata);
        meta.put(DATA_SHA256, sha256(data));
        byte[] header = header(tensors, data, meta);
        var length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
        writeFully(out, length);
        writeFully(out, ByteBuffer.wrap(header));
        for (byte[] d : data) writeFully(out, ByteBuffer.wrap(d));
    }

    private static byte[] header(Map<String, Tensor> tensors, List<byte[]> data, Map<String, String> meta) {
        var h = new LinkedHashMap<String, Object>();
        h.put("__metadata__", meta);                // the reference writer puts it first too
        long offset = 0;
        int i = 0;
        for (var e : tensors.entrySet()) {
            var shape = new ArrayList<Object>();
            for (int d : e.getValue().shape()) shape.add((long) d);
            long end = offset + data.get(i++).length;
            var entry = new LinkedHashMap<String, Object>();
            entry.put("dtype", code(e.getValue().dtype()));
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, end));
            h.put(e.getKey(), entry);
            offset = end;
        }
        meta.put(HEADER_SHA256, headerSha256(h));   // of the header without this key, then added
        byte[] json = Json.write(h).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static byte[] encode(Tensor t) {
        long size = (long) t.numel() * t.dtype().bytes;
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("a tensor of " + t.type() + " is too large to save (over 2 GiB)");
        var b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < t.numel(); i++) {
            double v = Tensor.fit(t.dtype(), t.at(i));
            switch (t.dtype()) {
                case F64 -> b.putDouble(v);
                case F32 -> b.putFloat((float) v);
                case F16 -> b.putShort(Float.floatToFloat16((float) v));
                case BF16 -> b.putShort((short) (Float.floatToRawIntBits((float) v) >>> 16));   // the top half of an f32
                case I32 -> b.putInt((int) v);
                case I64 -> b.putLong((long) v);
                case BOOL -> b.put((byte) v);
            }
        }
        return b.array();
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    /** The SHA-256 of a header's compact JSON with {@link #HEADER_SHA256} left out of its metadata. */
    static String headerSha256(Map<String, Object> header) {
        var without = new LinkedHashMap<String, Object>();
        header.forEach((k, v) -> {
            if (k.equals("__metadata__") && v instanceof Map<?, ?> m) {
                var meta = new LinkedHashMap<Object, Object>(m);
                meta.remove(HEADER_SHA256);
                without.put(k, meta);
            } else {
                without.put(k, v);
            }
        });
        return sha256(List.of(Json.write(without).getBytes(StandardCharsets.UTF_8)));
    }

    static String sha256(List<byte[]> parts) {
        MessageDigest md = sha256();
        for (byte[] p : parts) md.update(p);
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    // ---------------------------------------------------------------- reading

    /** The file's contents, or an error naming the file and what is wrong with it. */
    static Contents read(Path file) throws CheckpointError {
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch);
        } catch (NoSuchFileException e) {
            throw new CheckpointError(file + ": no such file");
        } catch (FileSystemException e) {
            throw new CheckpointError("cannot read " + file + ": " + Objects.requireNonNullElse(e.getReason(), e.getClass().getSimpleName()), e);
        } catch (IOException e) {
            throw new CheckpointError("cannot read " + file + ": " + e.getMessage(), e);
        } catch (Malformed e) {
            throw new CheckpointError(file + ": " + e.getMessage());
        }
    }

    /** One tensor's header entry. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    private static Contents read(FileChannel ch) throws IOException, Malformed {
        long size = ch.size();
        if (size < 8) throw new Malformed("truncated: " + size + " bytes, shorter than the 8-byte header length");
        long n = bytes(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        boolean tooLong = Long.compareUnsigned(n, MAX_HEADER) > 0;   // the length is unsigned
        if (n < 2 || tooLong || n > size - 8)
            throw new Malformed("bad header length " + Long.toUnsignedString(n) + ": the file holds " + (size - 8) + " bytes after it"
                    + (tooLong ? " and headers stop at " + MAX_HEADER : ""));
        Map<String, Object> header = header(bytes(ch, 8, (int) n));
        var metadata = metadata(header.get("__metadata__"));
        var entries = new ArrayList<Entry>();
        for (var e : header.entrySet())
            if (!e.getKey().equals("__metadata__")) entries.add(entry(e.getKey(), e.getValue()));
        long dataStart = 8 + n;
        checkLayout(entries, size - dataStart);

        // Read the ranges in file order, so the digest covers the byte buffer as it lies.
        var byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin));
        var decoded = new LinkedHashMap<String, Tensor>();
        MessageDigest md = sha256();
        for (Entry e : byOffset) {
            ByteBuffer b = bytes(ch, dataStart + e.begin(), Math.toIntExact(e.end() - e.begin()));
            md.update(b.duplicate());
            decoded.put(e.name(), decode(e, b.order(ByteOrder.LITTLE_ENDIAN)));
        }
        var tensors = new LinkedHashMap<String, Tensor>();
        for (Entry e : entries) tensors.put(e.name(), decoded.get(e.name()));
        return new Contents(tensors, metadata, HexFormat.of().formatHex(md.digest()), headerSha256(header));
    }

    private static ByteBuffer bytes(FileChannel ch, long position, int n) throws IOException, Malformed {
        var b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0)
                throw new Malformed("truncated: expected " + n + " bytes at offset " + position + ", the file ends after " + b.position());
        }
        return b.flip();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> header(ByteBuffer bytes) throws Malformed {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("bad header: not UTF-8 text");
        }
        Object json;
        try {
            json = Json.parse(text);
        } catch (Json.SyntaxError e) {
            throw new Malformed("bad JSON in the header: " + e.getMessage());
        }
        if (!(json instanceof Map<?, ?> m)) throw new Malformed("bad header: not a JSON object");
        return (Map<String, Object>) m;
    }

    private static Map<String, String> metadata(Object json) throws Malformed {
        var out = new LinkedHashMap<String, String>();
        if (json == null) return out;
        if (!(json instanceof Map<?, ?> m)) throw new Malformed("bad header: __metadata__ is not an object");
        for (var e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) throw new Malformed("bad header: __metadata__ \"" + e.getKey() + "\" is not a string");
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String name, Object json) throws Malformed {
        if (!(json instanceof Map<?, ?> m)) throw new Malformed("bad header: tensor " + name + " is not an object");
        if (!(m.get("dtype") instanceof String code)) throw new Malformed("bad header: tensor " + name + " has no dtype");
        DType dtype;
        try {
            dtype = dtype(code);
        } catch (Malformed e) {
            throw new Malformed("bad header: tensor " + name + " has " + e.getMessage());
        }
        if (!(m.get("shape") instanceof List<?> dims)) throw new Malformed("bad header: tensor " + name + " has no shape");
        var shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE)
                throw new Malformed("bad header: tensor " + name + " has shape " + dims + ": sizes are whole numbers from 0");
            shape[i] = (int) (long) d;
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end) || begin < 0 || end < begin)
            throw new Malformed("bad header: tensor " + name + " has data_offsets " + m.get("data_offsets") + ", expected [begin, end] with 0 <= begin <= end");
        long need = numel(name, shape) * dtype.bytes;
        if (need > Integer.MAX_VALUE) throw new Malformed("bad header: tensor " + name + " is over 2 GiB, more than dlc reads");
        if (end - begin != need)
            throw new Malformed("size mismatch: tensor " + name + " is " + dtype + Arrays.toString(shape).replace(" ", "")
                    + ", " + need + " bytes, but its data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long numel(String name, int[] shape) throws Malformed {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) throw new Malformed("bad header: tensor " + name + " has more than " + Integer.MAX_VALUE + " elements");
        }
        return n;
    }

    /** The byte ranges must tile the byte buffer exactly: no holes, overlaps, or bytes left over. */
    private static void checkLayout(List<Entry> entries, long dataSize) throws Malformed {
        var sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin() > dataSize || e.end() > dataSize)
                throw new Malformed("truncated: tensor " + e.name() + " has data_offsets [" + e.begin() + ", " + e.end()
                        + "] but the file holds " + dataSize + " bytes of tensor data");
            if (e.begin() != at)
                throw new Malformed("offsets out of range: tensor " + e.name() + " starts at " + e.begin() + ", expected " + at
                        + " (tensors lie back to back without holes or overlaps)");
            at = e.end();
        }
        if (at != dataSize)
            throw new Malformed("size mismatch: the header accounts for " + at + " bytes of tensor data, the file holds " + dataSize);
    }

    private static Tensor decode(Entry e, ByteBuffer b) throws Malformed {
        var values = new double[Math.toIntExact(numel(e.name(), e.shape()))];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (e.dtype()) {
                case F64 -> b.getDouble();
                case F32 -> b.getFloat();
                case F16 -> Float.float16ToFloat(b.getShort());
                case BF16 -> Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
                case I32 -> b.getInt();
                case I64 -> b.getLong();
                case BOOL -> bool(e, i, b.get());
            };
        }
        return Tensor.of(e.dtype(), e.shape(), values);
    }

    private static double bool(Entry e, int i, byte v) throws Malformed {
        if (v != 0 && v != 1) throw new Malformed("bad data: tensor " + e.name() + " is bool but element " + i + " is the byte " + v);
        return v;
    }
}
