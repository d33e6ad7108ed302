package dev.dlc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlc.ops.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SyntheticTest {
    private static List<Tensor> all(DataSet d) { return d.batch(IntStream.range(0, d.size()).toArray()); }

    @Test void regressionLeastSquaresRecoversTheTrueWeights() throws DataError {
        for (int features : new int[] {2, 5}) {
            Split s = DataSets.open("synthetic_regression", Map.of("n", 1000L, "features", (long) features, "batch", 10L));
            assertEquals(1000, s.train().size());
            assertEquals(1000, s.test().size());
            List<Tensor> xy = all(s.train());
            assertEquals("f32[1000," + features + "]", xy.get(0).type().toString());
            assertEquals("f32[1000]", xy.get(1).type().toString());
            double[] fit = leastSquares(xy.get(0), xy.get(1));
            double[] w = Synthetic.trueWeights(features);
            for (int j = 0; j < features; j++) assertEquals(w[j], fit[j], 0.01, "w[" + j + "]");
            assertEquals(Synthetic.BIAS, fit[features], 0.01, "b");
        }
        assertArrayEquals(new double[] {2, -3.4}, Synthetic.trueWeights(2), "d2l's w");
    }

    @Test void binaryLabelsAreSeparatedByTheTrueHyperplaneWithAMargin() throws DataError {
        List<Tensor> xy = all(DataSets.open("synthetic_binary", Map.of("n", 1000L, "features", 2L)).train());
        assertEquals("f32[1000,2]", xy.get(0).type().toString());
        double[] x = xy.get(0).toArray(), y = xy.get(1).toArray();
        double norm = Math.sqrt(2 * 2 + 3.4 * 3.4);
        int positive = 0;
        for (int i = 0; i < 1000; i++) {
            assertTrue(y[i] == 0 || y[i] == 1);
            double side = (2 * x[2 * i] - 3.4 * x[2 * i + 1]) / norm;
            assertEquals(side > 0, y[i] == 1, "example " + i + " is on the side of its label");
            assertTrue(Math.abs(side) >= 0.1 - 1e-6, "example " + i + " keeps the margin: " + side);
            if (y[i] == 1) positive++;
        }
        assertTrue(positive > 400 && positive < 600, "both classes: " + positive);
    }

    @Test void classificationLabelsAreClasses() throws DataError {
        Split s = DataSets.open("synthetic_classification", Map.of("n", 500L, "features", 3L, "classes", 4L));
        List<Tensor> xy = all(s.train());
        assertEquals("i32[500]", xy.get(1).type().toString());
        assertArrayEquals(new double[] {0, 1, 2, 3}, Arrays.stream(xy.get(1).toArray()).distinct().sorted().toArray());
    }

    @Test void polynomialFeaturesArePowersOverFactorials() throws DataError {
        List<Tensor> xy = all(DataSets.open("polynomial_data", Map.of("n", 100L)).train());
        assertEquals("f32[100,20]", xy.get(0).type().toString());
        double[] x = xy.get(0).toArray(), y = xy.get(1).toArray();
        double worst = 0;
        for (int i = 0; i < 100; i++) {
            double t = x[i * 20 + 1];
            assertEquals(1, x[i * 20]);
            assertEquals(t * t * t / 6, x[i * 20 + 3], 1e-5 * Math.max(1, Math.abs(t * t * t)));
            double clean = 5 + 1.2 * t - 3.4 * t * t / 2 + 5.6 * t * t * t / 6;
            worst = Math.max(worst, Math.abs(y[i] - clean));
        }
        assertTrue(worst < 0.5, "y is the cubic plus noise of deviation 0.1: " + worst);
    }

    @Test void theSameSeedGivesTheSameData() throws DataError {
        Map<String, Object> o = Map.of("n", 50L, "features", 3L, "seed", 9L);
        assertEquals(all(DataSets.open("synthetic_binary", o).train()), all(DataSets.open("synthetic_binary", o).train()));
    }

    /** Solves the normal equations of [x, 1] w = y by Gaussian elimination. */
    static double[] leastSquares(Tensor x, Tensor y) {
        int n = x.dim(0), f = x.dim(1), m = f + 1;
        var a = new double[m][m + 1];
        for (int i = 0; i < n; i++) {
            var row = new double[m];
            for (int j = 0; j < f; j++) row[j] = x.get(i, j);
            row[f] = 1;
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < m; c++) a[r][c] += row[r] * row[c];
                a[r][m] += row[r] * y.at(i);
            }
        }
        for (int p = 0; p < m; p++)
            for (int r = p + 1; r < m; r++) {
                double k = a[r][p] / a[p][p];
                for (int c = p; c <= m; c++) a[r][c] -= k * a[p][c];
            }
        var w = new double[m];
        for (int r = m - 1; r >= 0; r--) {
            double s = a[r][m];
            for (int c = r + 1; c < m; c++) s -= a[r][c] * w[c];
            w[r] = s / a[r][r];
        }
        return w;
    }
}
