package dev.dlc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ops.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDataTest {
    /** a: numeric with a gap; kind: categorical with a gap; price: the target. */
    private static final String SMALL = """
            a,kind,price
            1,x,10
            2,"y",20
            NA,x,30
            3,,40
            """;

    private static Split open(Path file, String text, long features) throws Exception {
        Files.writeString(file, text);
        return DataSets.open("csv", Map.of("path", file.toString(), "target", "price", "features", features, "batch", 2L));
    }

    @Test void standardizesFillsAndOneHotEncodes(@TempDir Path dir) throws Exception {
        Split s = open(dir.resolve("small.csv"), SMALL, 4);
        assertNull(s.test(), "a CSV file has no test part");
        List<Tensor> xy = s.train().batch(new int[] {0, 1, 2, 3});
        assertEquals("f32[4,4]", xy.get(0).type().toString());
        // a: mean 2, sample deviation 1 -> -1, 0, (missing) 0, 1; kind: columns x, y, missing.
        double[][] expected = {{-1, 1, 0, 0}, {0, 0, 1, 0}, {0, 1, 0, 0}, {1, 0, 0, 1}};
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) assertEquals(expected[i][j], xy.get(0).get(i, j), 1e-6, "row " + i + " column " + j);
        assertArrayEquals(new double[] {10, 20, 30, 40}, xy.get(1).toArray());
    }

    @Test void aWrongFeatureCountSaysHowManyTheFileGives(@TempDir Path dir) {
        var e = assertThrows(DataError.class, () -> open(dir.resolve("small.csv"), SMALL, 3));
        assertTrue(e.getMessage().contains("gives 4 features (1 numeric columns, 3 one-hot columns from 1 categorical ones), but features = 3 was declared"),
                e.getMessage());
    }

    @Test void fileErrorsNameTheFileAndLine(@TempDir Path dir) {
        Path f = dir.resolve("bad.csv");
        var e = assertThrows(DataError.class, () -> open(f, "a,price\n1,2\n3\n", 1));
        assertEquals(f + ":3: expected 2 fields as in the header, found 1", e.getMessage());
        e = assertThrows(DataError.class, () -> open(f, "a,price\n1,cheap\n", 1));
        assertEquals(f + ":2: target 'price' must be a number, found 'cheap'", e.getMessage());
        e = assertThrows(DataError.class, () -> open(f, "a,cost\n1,2\n", 1));
        assertEquals("csv: " + f + " has no column 'price'; its columns are a, cost", e.getMessage());
        e = assertThrows(DataError.class, () -> DataSets.open("csv", Map.of("path", dir.resolve("none.csv").toString(), "target", "p", "features", 1L)));
        assertEquals("csv: no file " + dir.resolve("none.csv"), e.getMessage());
    }

    @Test void quotedFieldsKeepCommasAndQuotes() throws DataError {
        assertEquals(List.of("a,b", "say \"hi\"", "c"), CsvFile.fields("\"a,b\",\"say \"\"hi\"\"\", c ", Path.of("f.csv"), 1));
    }

    @Test void theHousesFileIsTheGeneratorsOutput() throws Exception {
        Path houses = Repo.file("examples/data/houses.csv");
        assertEquals(HousesCsv.generate(HousesCsv.SEED, HousesCsv.ROWS), Files.readString(houses),
                "regenerate with: java -cp runtime/target/classes dev.dlc.data.HousesCsv examples/data/houses.csv");
    }

    @Test void theHousesFileOpensWithEighteenFeatures() throws Exception {
        DataSet d = DataSets.open("csv", Map.of("path", Repo.file("examples/data/houses.csv").toString(), "target", "SalePrice", "features", 18L)).train();
        assertEquals(HousesCsv.ROWS, d.size());
        Tensor x = d.batch(IntStream.range(0, d.size()).toArray()).getFirst();
        for (int j = 0; j < 5; j++) {   // the numeric columns are standardized
            double sum = 0;
            for (int i = 0; i < d.size(); i++) sum += x.get(i, j);
            assertEquals(0, sum / d.size(), 0.05, "column " + j);
        }
    }
}
