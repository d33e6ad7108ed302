package dev.dlc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ops.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextDataTest {
    private static final Path CORPUS = Repo.file("examples/data/tiny_corpus.txt");

    private static TextData open(Map<String, Object> extra) throws DataError {
        var o = new HashMap<String, Object>(Map.of("path", CORPUS.toString(), "seq_len", 10L, "batch", 4L));
        o.putAll(extra);
        return (TextData) DataSets.open("text", o).train();
    }

    @Test void cleaningKeepsLowerCaseLettersAndSingleSpaces() throws DataError {
        assertEquals("the time machine by h g wells ", TextData.clean("The Time Machine, by H. G. Wells\n"));
        assertEquals(List.of("t", "o", " ", "b", "e"), TextData.tokens("To-be", "char"));
        assertEquals(List.of("to", "be", "or", "not"), TextData.tokens(" To be, or NOT!", "word"));
    }

    @Test void charVocabularyIsUnkThenCharactersByFrequency() throws DataError {
        Vocab v = open(Map.of("vocab", 28L)).vocab();
        assertEquals(Vocab.UNK, v.token(0));
        assertEquals(" ", v.token(1), "space is the most frequent character of English text");
        assertEquals("e", v.token(2));
        assertTrue(v.size() <= 28);
        assertEquals(0, v.id("<nothing>"));
    }

    @Test void minFreqAndTheDeclaredSizeLeaveRareTokensUnknown() throws DataError {
        Vocab all = open(Map.of("level", "word", "vocab", 10_000L)).vocab();
        Vocab frequent = open(Map.of("level", "word", "vocab", 10_000L, "min_freq", 3L)).vocab();
        assertTrue(frequent.size() < all.size());
        assertEquals("the", frequent.token(1));
        assertTrue(all.id("loaf") > 0);
        assertEquals(0, frequent.id("loaf"), "a word seen once reads as <unk>");
        assertTrue(frequent.id("wren") > 0, "a word seen three times stays");
        TextData small = open(Map.of("level", "word", "vocab", 5L));
        assertEquals(5, small.vocab().size(), "the vocabulary stops at the declared size");
        assertTrue(Arrays.stream(small.corpus()).allMatch(id -> id < 5));
        assertTrue(Arrays.stream(small.corpus()).anyMatch(id -> id == 0));
    }

    @Test void yIsXShiftedByOne() throws DataError {
        TextData d = open(Map.of());
        List<Tensor> xy = d.batch(new int[] {0, 5, 2});
        assertEquals(d.elementTypes(3), xy.stream().map(Tensor::type).toList());
        assertEquals("i32[3,10]", xy.get(0).type().toString());
        int[] corpus = d.corpus(), starts = d.starts();
        for (int t = 0; t < 10; t++) {
            assertEquals(corpus[starts[5] + t], xy.get(0).get(1, t));
            assertEquals(corpus[starts[5] + t + 1], xy.get(1).get(1, t));
        }
    }

    @Test void randomPartitionCoversTheCorpusInWindows() throws DataError {
        TextData d = open(Map.of("seed", 3L));
        int[] starts = d.starts();
        assertTrue(starts[0] < 10, "the offset is below seq_len");
        for (int k = 1; k < starts.length; k++) assertEquals(starts[k - 1] + 10, starts[k], "windows follow each other");
        assertTrue(d.corpus().length - (starts[starts.length - 1] + 10) <= 10, "at most a window is left over at the end");
        assertFalse(d.ordered());
    }

    @Test void sequentialPartitionContinuesEachRowInTheNextBatch() throws DataError {
        TextData d = open(Map.of("partition", "sequential", "seed", 3L));
        assertTrue(d.ordered(), "the loop must not shuffle it");
        int[] s = d.starts();
        assertEquals(0, s.length % 4);
        for (int k = 4; k < s.length; k++) assertEquals(s[k - 4] + 10, s[k], "row b of batch j+1 follows row b of batch j");
        int streamLen = s[1] - s[0];
        assertTrue(s[3] + streamLen <= d.corpus().length, "four streams of equal length lie inside the corpus");
        var covered = new boolean[d.corpus().length];
        for (int start : s) for (int t = 0; t < 10; t++) { assertFalse(covered[start + t], "windows do not overlap"); covered[start + t] = true; }
    }

    @Test void errorsAreClear(@TempDir Path dir) throws Exception {
        Path tiny = dir.resolve("tiny.txt");
        Files.writeString(tiny, "ab");
        var e = assertThrows(DataError.class, () -> DataSets.open("text", Map.of("path", tiny.toString(), "seq_len", 5L, "batch", 1L)));
        assertEquals("text: " + tiny + " holds 2 tokens, too few for one window of seq_len = 5 (and its next token)", e.getMessage());
        e = assertThrows(DataError.class, () -> open(Map.of("level", "byte")));
        assertEquals("text: level must be \"char\" or \"word\", found \"byte\"", e.getMessage());
        e = assertThrows(DataError.class, () -> DataSets.open("text", Map.of("path", dir.resolve("none").toString())));
        assertEquals("text: no file " + dir.resolve("none"), e.getMessage());
    }
}
