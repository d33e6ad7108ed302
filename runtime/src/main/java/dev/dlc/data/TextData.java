package dev.dlc.data;

import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import dev.dlc.types.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A corpus for language models (d2l 9.2-9.3, The Time Machine): x i32[B,T] are windows of T
 * token ids, y i32[B,T] the same windows one token later. The text is cleaned as d2l does:
 * lower case, every run of characters other than a-z becomes one space. Tokens are
 * characters (level = "char": 26 letters and space, so 28 ids with {@code <unk>}) or words.
 *
 * <p>Two partitions, both from a random offset in [0, T) so that epochs of different seeds
 * see different cuts. RANDOM (the default): the corpus is cut into consecutive windows, one
 * example each, and the loop shuffles them. SEQUENTIAL: the corpus is cut into B streams and
 * example j*B + b is window j of stream b, so row b of each batch continues row b of the one
 * before (for models that carry their state across batches); the data set is ordered.
 */
public final class TextData implements DataSet {
    public enum Partition { RANDOM, SEQUENTIAL }

    private final int[] corpus;
    private final int[] starts;
    private final int seqLen;
    private final Vocab vocab;
    private final boolean ordered;

    private TextData(int[] corpus, int[] starts, int seqLen, Vocab vocab, boolean ordered) {
        this.corpus = corpus;
        this.starts = starts;
        this.seqLen = seqLen;
        this.vocab = vocab;
        this.ordered = ordered;
    }

    static TextData open(Path path, String level, int seqLen, int batch, int minFreq, int maxVocab, Partition p, long seed) throws DataError {
        List<String> tokens = tokens(read(path, "text"), level);
        Vocab vocab = Vocab.build(tokens, List.of(), minFreq, maxVocab);
        int[] corpus = tokens.stream().mapToInt(vocab::id).toArray();
        int offset = new Random(seed).nextInt(seqLen);
        int[] starts = p == Partition.RANDOM ? consecutive(corpus.length, offset, seqLen) : streams(corpus.length, offset, seqLen, batch);
        if (starts.length == 0)
            throw new DataError("text: " + path + " holds " + corpus.length + " tokens, too few for one window of seq_len = " + seqLen + " (and its next token)");
        return new TextData(corpus, starts, seqLen, vocab, p == Partition.SEQUENTIAL);
    }

    public Vocab vocab() { return vocab; }

    /** Where each example's x window starts in the corpus. */
    int[] starts() { return starts.clone(); }

    /** The corpus as ids. */
    int[] corpus() { return corpus.clone(); }

    @Override public int size() { return starts.length; }

    @Override public boolean ordered() { return ordered; }

    @Override public List<Tensor> batch(int[] indices) {
        var x = new double[indices.length * seqLen];
        var y = new double[indices.length * seqLen];
        for (int i = 0; i < indices.length; i++) {
            int s = starts[indices[i]];
            for (int t = 0; t < seqLen; t++) {
                x[i * seqLen + t] = corpus[s + t];
                y[i * seqLen + t] = corpus[s + t + 1];
            }
        }
        int[] shape = {indices.length, seqLen};
        return List.of(Tensor.of(DType.I32, shape, x), Tensor.of(DType.I32, shape, y));
    }

    @Override public List<Type.Tensor> elementTypes(int batch) {
        var t = Type.tensor(DType.I32, batch, seqLen);
        return List.of(t, t);
    }

    /** d2l's cleaning: lower case, each run of non-letters one space. */
    static String clean(String raw) {
        return raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", " ");
    }

    static List<String> tokens(String raw, String level) throws DataError {
        String text = clean(raw);
        return switch (level) {
            case "char" -> text.chars().mapToObj(Character::toString).toList();
            case "word" -> List.of(text.trim().split(" +")).stream().filter(w -> !w.isEmpty()).toList();
            default -> throw new DataError("text: level must be \"char\" or \"word\", found \"" + level + "\"");
        };
    }

    /** Windows at offset, offset + T, ... while a window and its next token fit. */
    private static int[] consecutive(int length, int offset, int seqLen) {
        int count = Math.max(0, (length - 1 - offset) / seqLen);
        var starts = new int[count];
        for (int k = 0; k < count; k++) starts[k] = offset + k * seqLen;
        return starts;
    }

    /** B streams of L = (length - 1 - offset) / B tokens; example j*B + b is window j of stream b. */
    private static int[] streams(int length, int offset, int seqLen, int batch) {
        int streamLen = Math.max(0, (length - 1 - offset) / batch), windows = streamLen / seqLen;
        var starts = new int[windows * batch];
        for (int j = 0; j < windows; j++)
            for (int b = 0; b < batch; b++) starts[j * batch + b] = offset + b * streamLen + j * seqLen;
        return starts;
    }

    /** The whole file as text; {@code kind} (the data set's name) opens each message. */
    static String read(Path path, String kind) throws DataError {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataError(kind + ": no file " + path);
        } catch (IOException e) {
            throw new DataError(kind + ": cannot read " + path + " as UTF-8 text: " + e.getMessage(), e);
        }
    }
}
