package dev.dlc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchesTest {
    /** Ten examples whose x is their index, so a batch shows which examples it holds. */
    private static final DataSet TEN = new Table(List.of(Column.floats(new int[] {1}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})));

    @Test void shuffleIsSeededAndAPermutation() {
        int[] a = Batches.order(1000, true, 42, 3), b = Batches.order(1000, true, 42, 3);
        assertArrayEquals(a, b, "same seed and epoch, same order");
        assertFalse(Arrays.equals(a, Batches.order(1000, true, 42, 4)), "each epoch has its own order");
        assertFalse(Arrays.equals(a, Batches.order(1000, true, 43, 3)), "each seed has its own order");
        assertArrayEquals(IntStream.range(0, 1000).toArray(), Arrays.stream(a).sorted().toArray());
        assertArrayEquals(IntStream.range(0, 5).toArray(), Batches.order(5, false, 42, 3));
    }

    @Test void theLastBatchHoldsTheRest() {
        List<int[]> batches = Batches.epoch(TEN, 4, 1, 0);
        assertEquals(List.of(4, 4, 2), batches.stream().map(b -> b.length).toList());
        assertEquals(3, Batches.count(10, 4));
        assertEquals(2, Batches.lastSize(10, 4));
        assertEquals(5, Batches.lastSize(10, 5));
        assertEquals("f32[2,1]", TEN.batch(batches.getLast()).getFirst().type().toString());
        assertEquals(List.of(4, 4), Batches.split(Batches.order(10, false, 0, 0), 4, true).stream().map(b -> b.length).toList());
        int[] seen = batches.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 10).toArray(), seen, "an epoch visits every example once");
    }

    @Test void aBatchCopiesTheRowsAsked() {
        assertArrayEquals(new double[] {7, 2, 2}, TEN.batch(new int[] {7, 2, 2}).getFirst().toArray());
    }

    @Test void foldsPartitionTheData() throws DataError {
        List<Split> folds = KFold.splits(TEN, 3);
        assertEquals(3, folds.size());
        var validated = new int[10];
        for (Split f : folds) {
            int[] train = ((Subset) f.train()).indices(), val = ((Subset) f.test()).indices();
            assertEquals(10, train.length + val.length);
            for (int v : val) {
                validated[v]++;
                assertTrue(Arrays.stream(train).noneMatch(t -> t == v), "validation examples are not trained on");
            }
        }
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, validated, "each example is validated on exactly once");
        assertEquals(List.of(3, 3, 4), folds.stream().map(f -> f.test().size()).toList());
        assertArrayEquals(new double[] {3, 4, 5}, folds.get(1).test().batch(new int[] {0, 1, 2}).getFirst().toArray());
        assertThrows(DataError.class, () -> KFold.splits(TEN, 1));
        assertThrows(DataError.class, () -> KFold.splits(TEN, 11));
    }

    @Test void holdOutIsSeededAndDisjoint() throws DataError {
        Split s = Split.holdOut(TEN, 0.2, 5);
        int[] train = ((Subset) s.train()).indices(), test = ((Subset) s.test()).indices();
        assertEquals(2, test.length);
        assertEquals(8, train.length);
        assertArrayEquals(test, ((Subset) Split.holdOut(TEN, 0.2, 5).test()).indices());
        int[] all = IntStream.concat(Arrays.stream(train), Arrays.stream(test)).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 10).toArray(), all);
        assertThrows(DataError.class, () -> Split.holdOut(TEN, 1.0, 5));
    }
}
