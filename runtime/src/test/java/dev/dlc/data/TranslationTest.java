package dev.dlc.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dlc.ops.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranslationTest {
    private static Translation open(Path file, long seqLen) throws DataError {
        return (Translation) DataSets.open("translation", Map.of("path", file.toString(), "seq_len", seqLen, "batch", 2L, "vocab", 100L)).train();
    }

    /** Row {@code row} of a batch tensor as tokens. */
    private static String row(Tensor t, int row, Vocab v) {
        return Arrays.stream(t.toArray(), row * t.dim(1), (row + 1) * t.dim(1)).mapToObj(id -> v.token((int) id)).collect(Collectors.joining(" "));
    }

    @Test void padsWithEosAndShiftsTheDecoderInput() throws DataError {
        Translation d = open(Repo.file("examples/data/tiny_fra_eng.txt"), 6);
        assertEquals(24, d.size());
        List<Tensor> b = d.batch(new int[] {0, 22});
        assertEquals(d.elementTypes(2), b.stream().map(Tensor::type).toList());
        assertEquals("i32[2,6]", b.get(1).type().toString());
        Vocab src = d.sourceVocab(), tgt = d.targetVocab();
        assertEquals(List.of(Vocab.UNK, Vocab.PAD, Vocab.BOS, Vocab.EOS), src.tokens().subList(0, 4));
        assertEquals(1, tgt.id(Vocab.PAD));
        assertEquals("go . <eos> <pad> <pad> <pad>", row(b.get(0), 0, src));
        assertEquals("<bos> va ! <eos> <pad> <pad>", row(b.get(1), 0, tgt));
        assertEquals("va ! <eos> <pad> <pad> <pad>", row(b.get(2), 0, tgt));
        // A long pair is cut to seq_len and loses its <eos>, as in d2l.
        assertEquals("i lost my key at the", row(b.get(0), 1, src));
        assertEquals("<bos> j'ai perdu ma clé à", row(b.get(1), 1, tgt));
        assertEquals("j'ai perdu ma clé à la", row(b.get(2), 1, tgt));
    }

    @Test void punctuationIsSplitFromWords() {
        assertEquals(List.of("open", "the", "window", ",", "please", "."), Translation.words("Open the window, please."));
        assertEquals(List.of("va", "!"), Translation.words("Va\u00a0!"));
    }

    @Test void aLineWithoutATabIsAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pairs.txt");
        Files.writeString(f, "hi\tsalut\nno tab here\n");
        var e = assertThrows(DataError.class, () -> open(f, 5));
        assertEquals(f + ":2: expected a source sentence, a tab and its translation", e.getMessage());
    }
}
