package dev.dlc.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dlc.ops.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every data set (but Fashion-MNIST, see its own test) gives the element types the checker declares. */
class DataSetsTest {
    static Stream<Arguments> types() {
        String data = Repo.file("examples/data").toString();
        return Stream.of(
                Arguments.of("synthetic_regression", Map.of("n", 20L, "features", 3L), "[f32[5,3], f32[5]]"),
                Arguments.of("synthetic_binary", Map.of("n", 20L, "features", 2L), "[f32[5,2], f32[5]]"),
                Arguments.of("synthetic_classification", Map.of("n", 20L, "features", 4L, "classes", 3L), "[f32[5,4], i32[5]]"),
                Arguments.of("polynomial_data", Map.of("n", 20L, "features", 4L), "[f32[5,4], f32[5]]"),
                Arguments.of("high_dim_regression", Map.of("n", 20L, "features", 7L), "[f32[5,7], f32[5]]"),
                Arguments.of("csv", Map.of("path", data + "/houses.csv", "target", "SalePrice", "features", 18L), "[f32[5,18], f32[5]]"),
                Arguments.of("text", Map.of("path", data + "/tiny_corpus.txt", "seq_len", 7L), "[i32[5,7], i32[5,7]]"),
                Arguments.of("translation", Map.of("path", data + "/tiny_fra_eng.txt", "seq_len", 8L), "[i32[5,8], i32[5,8], i32[5,8]]"));
    }

    @ParameterizedTest(name = "{0}") @MethodSource("types")
    void batchesHaveTheDeclaredTypes(String kind, Map<String, Object> options, String expected) throws DataError {
        DataSet d = DataSets.open(kind, options).train();
        assertEquals(expected, d.elementTypes(5).toString());
        List<Tensor> b = d.batch(new int[] {0, 1, 2, 3, 4});
        assertEquals(expected, b.stream().map(Tensor::type).toList().toString());
    }

    /** The copy a compiled backend takes (batchInto) holds the very values of batch, for every part, through a subset too. */
    @ParameterizedTest(name = "{0}") @MethodSource("types")
    void batchIntoGivesTheBatchsValues(String kind, Map<String, Object> options, String ignored) throws DataError {
        DataSet whole = DataSets.open(kind, options).train();
        int[] which = {4, 0, 3};
        for (DataSet d : List.of(whole, new Subset(whole, new int[] {2, 1, 0, 3, 4}))) {
            List<Tensor> b = d.batch(which);
            for (int part = 0; part < b.size(); part++) {
                Tensor t = b.get(part);
                if (t.dtype().isFloat()) {
                    var dst = new float[t.numel()];
                    d.batchInto(which, part, dst);
                    for (int i = 0; i < dst.length; i++) assertEquals((float) t.at(i), dst[i], kind + " part " + part + " element " + i);
                } else {
                    var dst = new int[t.numel()];
                    d.batchInto(which, part, dst);
                    for (int i = 0; i < dst.length; i++) assertEquals((int) t.at(i), dst[i], kind + " part " + part + " element " + i);
                }
            }
        }
    }

    @Test void optionMistakesAreClear() {
        assertEquals("unknown data set 'mnist'; std.data has fashion_mnist, synthetic_regression, synthetic_binary, synthetic_classification, "
                + "polynomial_data, high_dim_regression, csv, text and translation", assertThrows(DataError.class, () -> DataSets.open("mnist", Map.of())).getMessage());
        assertEquals("synthetic_binary: missing option 'features'",
                assertThrows(DataError.class, () -> DataSets.open("synthetic_binary", Map.of("n", 3L))).getMessage());
        assertEquals("synthetic_binary: unknown option 'noise'; its options are batch, features, n, seed",
                assertThrows(DataError.class, () -> DataSets.open("synthetic_binary", Map.of("n", 3L, "features", 2L, "noise", 0.1))).getMessage());
        assertEquals("synthetic_binary: option 'n' expects a positive Int, found Long 0",
                assertThrows(DataError.class, () -> DataSets.open("synthetic_binary", Map.of("n", 0L, "features", 2L))).getMessage());
    }
}
