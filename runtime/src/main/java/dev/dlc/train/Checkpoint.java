package dev.dlc.train;

import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A training job's checkpoint ({@code checkpoint = "runs/mlp"}): one safetensors file,
 * {@code DIR/checkpoint.safetensors}, holding every slot (parameters, buffers, optimizer
 * states) as a tensor named by its path, and the manifest in {@code __metadata__}:
 *
 * <pre>
 *   format          "dlc-checkpoint"        format_version  "1"
 *   job             the train block's name  source          the .dl source text
 *   source_sha256   of the source's UTF-8   seed, epoch, step   decimal integers
 *   rng_generator   the random generator's name, {@value #RNG_GENERATOR}
 *   rng_state       its state: {"seed", "next_epoch", "next_step"} as JSON with decimal strings
 *   rng             how each random stream follows from that state, in words and formulas
 *   data_sha256     of the tensor bytes     header_sha256   of the header without itself
 * </pre>
 *
 * The two digests make any damage a clear error rather than a silently different model.
 *
 * Each slot's type is its header entry (dtype and shape). The random generator is
 * counter-based: the shuffle of epoch e is a pure function of (seed, e) and dropout's masks
 * at step t of (seed, t, site), so its whole state is the seed and the next epoch and step;
 * a run that resumes continues every stream where it stopped. The generator is named so that
 * a checkpoint of another one (a later dlc that draws differently) is refused rather than
 * resumed into a run that silently differs from an uninterrupted one. The manifest lives in
 * the one file, rather than beside it, so that one atomic rename replaces everything and
 * weights and manifest can never disagree.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** The file in a checkpoint directory. */
    public static final String FILE = "checkpoint.safetensors";
    /** Bumped when a reader of the old format could misread the new one. */
    public static final int FORMAT_VERSION = 1;
    static final String FORMAT = "dlc-checkpoint";
    /** The generator whose state rng_state holds: its version changes whenever any stream would draw differently. */
    static final String RNG_GENERATOR = "dlc-counter-splitmix64-v1";
    static final String RNG = "counter-based, no hidden state: the shuffle of epoch e (1-based) is a Fisher-Yates shuffle from the last index "
            + "driven by java.util.Random(seed * 0x9E3779B97F4A7C15 + e); dropout at step t (1-based) and site s keeps element i iff "
            + "u >= p, u = top 24 bits of mix(k + (i + 1) * 0x9E3779B97F4A7C15) / 2^24 with k = mix(mix(seed * 31 + t) ^ mix(s + "
            + "0x9E3779B97F4A7C15)) and mix the SplitMix64 finalizer; rng_state gives the seed and the next epoch and step";

    /**
     * What a checkpoint holds.
     *
     * @param epoch the epochs completed
     * @param step  the optimizer steps taken (the next step is {@code step + 1})
     * @param slots tensors by slot path, in the order given (kept in the file)
     */
    public record State(String job, String source, long seed, int epoch, long step, Map<String, Tensor> slots) {
        public State {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(source, "source");
            slots = Collections.unmodifiableMap(new LinkedHashMap<>(slots));
        }

        /** Each slot's type, in slot order. */
        public Map<String, Type.Tensor> types() {
            var out = new LinkedHashMap<String, Type.Tensor>();
            slots.forEach((path, t) -> out.put(path, t.type()));
            return out;
        }
    }

    public static Path file(Path dir) { return dir.resolve(FILE); }

    /** Whether {@code dir} holds a checkpoint to resume from (it may still be corrupt). */
    public static boolean exists(Path dir) { return Files.isRegularFile(file(dir)); }

    // ---------------------------------------------------------------- saving

    /**
     * Saves atomically: the new file is written beside the old one under a temporary name,
     * forced to the disk, then renamed over it. A crash or an error at any point leaves the
     * previous checkpoint whole (and the temporary file is removed when we get the chance).
     */
    public static void save(Path dir, State state) throws CheckpointError {
        save(dir, state, writeThrough);
    }

    /**
     * What every save writes through: the identity, except in tests of a whole run, which
     * put a channel that fails part way here (a full disk) and restore it.
     */
    static volatile UnaryOperator<WritableByteChannel> writeThrough = UnaryOperator.identity();

    /** As above, writing through {@code through}: tests pass a channel that fails part way. */
    static void save(Path dir, State state, UnaryOperator<WritableByteChannel> through) throws CheckpointError {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".checkpoint-", ".tmp");
            try (var ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                SafeTensors.write(through.apply(ch), state.slots(), manifest(state));
                ch.force(true);                 // the bytes are on the disk before the name points at them
            }
            Files.move(tmp, file(dir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            syncDirectory(dir);
        } catch (AtomicMoveNotSupportedException e) {
            throw new CheckpointError("cannot save checkpoint " + dir + ": its file system cannot replace a file atomically", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointError("cannot save checkpoint " + dir + ": " + reason(e), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static Map<String, String> manifest(State s) {
        var m = new LinkedHashMap<String, String>();
        m.put("format", FORMAT);
        m.put("format_version", Integer.toString(FORMAT_VERSION));
        m.put("job", s.job());
        m.put("seed", Long.toString(s.seed()));
        m.put("epoch", Integer.toString(s.epoch()));
        m.put("step", Long.toString(s.step()));
        m.put("rng_generator", RNG_GENERATOR);
        m.put("rng_state", rngState(s));
        m.put("rng", RNG);
        m.put("source_sha256", sha256(s.source()));
        m.put("source", s.source());
        return m;
    }

    /** The counters the generator's streams continue from: the epoch and step after the saved ones. */
    private static String rngState(State s) {
        var state = new LinkedHashMap<String, Object>();
        state.put("seed", Long.toString(s.seed()));
        state.put("next_epoch", Long.toString(s.epoch() + 1L));
        state.put("next_step", Long.toString(s.step() + 1));
        return Json.write(state);
    }

    /** The rename itself is durable only once the directory is; best effort where it cannot be opened. */
    private static void syncDirectory(Path dir) {
        try (var ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException _) {
            // Some systems cannot open a directory; the file's own bytes are forced already.
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException _) {
            // A stray temporary file costs disk, not correctness: it is never read.
        }
    }

    private static String reason(Exception e) {
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getFile() + ": " + f.getReason();
        if (e instanceof FileSystemException f) return "cannot write " + f.getFile();
        return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }

    static String sha256(String text) {
        return SafeTensors.sha256(List.of(text.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- loading

    /** The checkpoint in {@code dir}, checked whole: header, data, digests and manifest. */
    public static State load(Path dir) throws CheckpointError {
        Path file = file(dir);
        var c = SafeTensors.read(file);
        var m = c.metadata();
        // The format first, so that another program's safetensors file is named as such.
        if (!FORMAT.equals(m.get("format"))) throw new CheckpointError(file + ": not a dlc checkpoint (no \"format\": \"" + FORMAT + "\" in __metadata__)");
        long version = number(file, m, "format_version");
        if (version > FORMAT_VERSION)
            throw new CheckpointError(file + ": format version " + version + " is newer than this dlc reads (" + FORMAT_VERSION + ")");
        if (!c.headerSha256().equals(m.get(SafeTensors.HEADER_SHA256)))
            throw new CheckpointError(file + ": corrupt: the header does not match its SHA-256");
        if (!c.dataSha256().equals(m.get(SafeTensors.DATA_SHA256)))
            throw new CheckpointError(file + ": corrupt: the tensor data does not match its SHA-256 in the header");
        // Checkpoints written before the generator was named (format 1 too) drew as this one does.
        String generator = m.getOrDefault("rng_generator", RNG_GENERATOR);
        if (!generator.equals(RNG_GENERATOR))
            throw new CheckpointError(file + ": its random generator is " + generator + ", this dlc draws with " + RNG_GENERATOR
                    + "; resuming would not continue the same shuffles and dropout masks");
        String source = text(file, m, "source");
        if (!sha256(source).equals(m.get("source_sha256")))
            throw new CheckpointError(file + ": corrupt: the source text does not match its SHA-256 in the header");
        long epoch = number(file, m, "epoch");
        if (epoch > Integer.MAX_VALUE) throw new CheckpointError(file + ": bad epoch " + epoch + " in __metadata__");
        return new State(text(file, m, "job"), source, number(file, m, "seed"), (int) epoch, number(file, m, "step"), c.tensors());
    }

    private static String text(Path file, Map<String, String> m, String key) throws CheckpointError {
        String v = m.get(key);
        if (v == null) throw new CheckpointError(file + ": no \"" + key + "\" in __metadata__");
        return v;
    }

    private static long number(Path file, Map<String, String> m, String key) throws CheckpointError {
        String v = text(file, m, key);
        try {
            long n = Long.parseLong(v);
            if (n < 0 && !key.equals("seed")) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new CheckpointError(file + ": bad " + key + " \"" + v + "\" in __metadata__, expected a whole number");
        }
    }

    // ---------------------------------------------------------------- resuming

    /**
     * Fails unless the checkpoint's slots are exactly the model's, with the same types. The
     * message names the first difference in the model's slot order, then any extra slot.
     */
    public static void check(Path dir, State saved, Map<String, Type.Tensor> expected) throws CheckpointError {
        var have = saved.types();
        for (var e : expected.entrySet()) {
            Type.Tensor found = have.get(e.getKey());
            if (found == null)
                throw new CheckpointError("checkpoint " + dir + " has no " + e.getKey() + ", the model has " + e.getKey() + " as " + e.getValue()
                        + " (a checkpoint of another model?)");
            if (!found.equals(e.getValue()))
                throw new CheckpointError("checkpoint " + dir + " has " + e.getKey() + " as " + found + ", the model has " + e.getValue());
        }
        for (var e : have.entrySet())
            if (!expected.containsKey(e.getKey()))
                throw new CheckpointError("checkpoint " + dir + " has " + e.getKey() + " as " + e.getValue() + ", the model has no " + e.getKey()
                        + " (a checkpoint of another model?)");
    }
}
