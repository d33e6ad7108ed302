package dev.dlc.data;

import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sentence pairs for sequence-to-sequence models (d2l 10.5, English-French): one pair per
 * line, source TAB target (further columns, such as an attribution, are ignored). Text is
 * lower-cased and punctuation ,.!? split from words; tokens are words. Source and target
 * have a vocabulary each, {@code <unk>} = 0, {@code <pad>} = 1, {@code <bos>} = 2,
 * {@code <eos>} = 3, at most {@code vocab} ids each.
 *
 * <p>An element is (src i32[B,S], tgt_in i32[B,T]) and y i32[B,T], S = T = seq_len: src and y
 * are the sentence then {@code <eos>}, cut or padded with {@code <pad>} to seq_len (a cut one
 * loses its {@code <eos>}, as in d2l); tgt_in is y shifted right behind {@code <bos>}, what the
 * decoder reads while learning to emit y (teacher forcing).
 */
public final class Translation implements DataSet {
    static final List<String> RESERVED = List.of(Vocab.PAD, Vocab.BOS, Vocab.EOS);

    private final Table table;
    private final Vocab source, target;

    private Translation(Table table, Vocab source, Vocab target) {
        this.table = table;
        this.source = source;
        this.target = target;
    }

    static Translation open(Path path, int seqLen, int maxVocab, int minFreq) throws DataError {
        var src = new ArrayList<List<String>>();
        var tgt = new ArrayList<List<String>>();
        String[] lines = TextData.read(path, "translation").split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            String[] parts = lines[i].split("\t");
            if (parts.length < 2) throw new DataError(path + ":" + (i + 1) + ": expected a source sentence, a tab and its translation");
            src.add(words(parts[0]));
            tgt.add(words(parts[1]));
        }
        if (src.isEmpty()) throw new DataError("translation: " + path + " holds no sentence pairs");
        Vocab sv = Vocab.build(src.stream().flatMap(List::stream).toList(), RESERVED, minFreq, maxVocab);
        Vocab tv = Vocab.build(tgt.stream().flatMap(List::stream).toList(), RESERVED, minFreq, maxVocab);
        int[] srcIds = ids(src, sv, seqLen, false), tgtIn = ids(tgt, tv, seqLen, true), y = ids(tgt, tv, seqLen, false);
        int[] row = {seqLen};
        return new Translation(new Table(List.of(Column.ints(row, srcIds), Column.ints(row, tgtIn), Column.ints(row, y))), sv, tv);
    }

    public Vocab sourceVocab() { return source; }

    public Vocab targetVocab() { return target; }

    /** d2l's preprocessing: no-break spaces become spaces, lower case, a space before , . ! ? */
    static List<String> words(String sentence) {
        String s = sentence.replace('\u202f', ' ').replace('\u00a0', ' ').toLowerCase(Locale.ROOT);
        var out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (i > 0 && ",.!?".indexOf(c) >= 0 && s.charAt(i - 1) != ' ') out.append(' ');
            out.append(c);
        }
        return List.of(out.toString().trim().split("\\s+")).stream().filter(w -> !w.isEmpty()).toList();
    }

    /** Each sentence + {@code <eos>}, cut or padded to seqLen; behind {@code <bos>} (and cut again) when shifted. */
    private static int[] ids(List<List<String>> sentences, Vocab v, int seqLen, boolean shifted) {
        var out = new int[sentences.size() * seqLen];
        int pad = v.id(Vocab.PAD);
        for (int i = 0; i < sentences.size(); i++) {
            var tokens = new ArrayList<String>();
            if (shifted) tokens.add(Vocab.BOS);
            tokens.addAll(sentences.get(i));
            tokens.add(Vocab.EOS);
            for (int t = 0; t < seqLen; t++) out[i * seqLen + t] = t < tokens.size() ? v.id(tokens.get(t)) : pad;
        }
        return out;
    }

    @Override public int size() { return table.size(); }

    @Override public List<Tensor> batch(int[] indices) { return table.batch(indices); }

    @Override public List<Type.Tensor> elementTypes(int batch) { return table.elementTypes(batch); }
}
