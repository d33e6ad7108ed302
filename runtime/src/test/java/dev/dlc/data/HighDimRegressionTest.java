package dev.dlc.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ops.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** d2l 3.7's weight-decay data: few training examples, many features, y = 0.05 + 0.01·Σx + noise. */
class HighDimRegressionTest {
    private static List<Tensor> all(DataSet d) { return d.batch(IntStream.range(0, d.size()).toArray()); }

    @Test void defaultsAreD2lsSizes() throws DataError {
        Split s = DataSets.open("high_dim_regression", Map.of());
        assertEquals(20, s.train().size());
        assertEquals(100, s.test().size());
        assertEquals("f32[20,200]", all(s.train()).get(0).type().toString());
    }

    @Test void labelsAreTheTrueLinearFunctionPlusSmallNoise() throws DataError {
        Split s = DataSets.open("high_dim_regression", Map.of("n", 50L, "n_test", 30L, "features", 40L));
        for (DataSet part : List.of(s.train(), s.test())) {
            List<Tensor> xy = all(part);
            double[] x = xy.get(0).toArray(), y = xy.get(1).toArray();
            double sq = 0;
            for (int i = 0; i < y.length; i++) {
                double clean = 0.05;
                for (int j = 0; j < 40; j++) clean += 0.01 * x[i * 40 + j];
                sq += (y[i] - clean) * (y[i] - clean);
            }
            double noise = Math.sqrt(sq / y.length);
            assertTrue(noise > 0.005 && noise < 0.015, "the noise has deviation 0.01: " + noise);
        }
    }

    @Test void trainingAndTestExamplesAreIndependentDraws() throws DataError {
        Split s = DataSets.open("high_dim_regression", Map.of("n", 5L, "n_test", 5L, "features", 3L));
        assertTrue(all(s.train()).get(0).toArray()[0] != all(s.test()).get(0).toArray()[0]);
    }
}
