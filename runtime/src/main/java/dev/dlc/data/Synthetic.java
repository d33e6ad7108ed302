package dev.dlc.data;

import java.util.List;
import java.util.Random;

/**
 * Generated data sets (d2l 3.3, 3.6, 4.x). Each draws n training examples and, independently
 * from the same distribution, n test examples, as d2l's num_train = num_val. Draws come from
 * java.util.Random, whose algorithm the JDK specifies, so a seed gives the same data on every
 * machine.
 */
final class Synthetic {
    /** d2l's true weights for two features; more features cycle through this list. */
    private static final double[] WEIGHTS = {2, -3.4, 1.5, -0.8, 3.1, -2.2, 0.7, -1.6};
    static final double BIAS = 4.2;
    /** d2l 3.6: the true polynomial's weights for x^i / i!, i = 0..3; higher powers weigh 0. */
    private static final double[] POLY = {5, 1.2, -3.4, 5.6};
    private static final double POLY_NOISE = 0.1;

    private Synthetic() {}

    /** The true w of synthetic_regression and synthetic_binary: [2, -3.4] then 1.5, -0.8, ... cycling. */
    static double[] trueWeights(int features) {
        var w = new double[features];
        for (int i = 0; i < features; i++) w[i] = WEIGHTS[i % WEIGHTS.length];
        return w;
    }

    /** x ~ N(0, I), y = x·w + 4.2 + noise·N(0, 1) (d2l's SyntheticRegressionData). */
    static Split regression(int n, int features, double noise, long seed) {
        return split(seed, rng -> {
            float[] x = gaussian(rng, n * features);
            var y = new float[n];
            double[] w = trueWeights(features);
            for (int i = 0; i < n; i++) y[i] = (float) (dot(x, i, w) + BIAS + noise * rng.nextGaussian());
            return new Table(List.of(Column.floats(new int[] {features}, x), Column.floats(new int[0], y)));
        });
    }

    /**
     * Linearly separable classes: x ~ N(0, I) conditioned on lying at least 0.1 from the
     * hyperplane x·w = 0 (w as for regression, no bias), y = 1 on its positive side. The gap
     * makes the set separable, so logistic regression can reach 99% and more (the examples'
     * expectation), as the data of d2l's classification-from-scratch chapters.
     */
    static Split binary(int n, int features, long seed) {
        return split(seed, rng -> {
            var x = new float[n * features];
            var y = new float[n];
            double[] w = trueWeights(features);
            double norm = Math.sqrt(dot(w, w));
            for (int i = 0; i < n; i++) {
                double side;
                do {
                    for (int j = 0; j < features; j++) x[i * features + j] = (float) rng.nextGaussian();
                    side = dot(x, i, w) / norm;
                } while (Math.abs(side) < 0.1);
                y[i] = side > 0 ? 1 : 0;
            }
            return new Table(List.of(Column.floats(new int[] {features}, x), Column.floats(new int[0], y)));
        });
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /**
     * Gaussian blobs: class c has a centre drawn once from N(0, 2²·I) (the same centres for
     * training and test), y uniform over the classes, x = centre(y) + N(0, I).
     */
    static Split classification(int n, int features, int classes, long seed) {
        float[] centres = gaussian(new Random(seed ^ 0x5DEECE66DL), classes * features);
        return split(seed, rng -> {
            var x = new float[n * features];
            var y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = rng.nextInt(classes);
                for (int j = 0; j < features; j++) x[i * features + j] = (float) (2 * centres[y[i] * features + j] + rng.nextGaussian());
            }
            return new Table(List.of(Column.floats(new int[] {features}, x), Column.ints(new int[0], y)));
        });
    }

    /**
     * d2l 3.6: t ~ N(0, 1), features x_i = t^i / i! for i < features, y = Σ_{i ≤ degree} w_i t^i / i!
     * + 0.1·N(0, 1) with w = [5, 1.2, -3.4, 5.6] then zeros. With fewer features than degree + 1
     * the model cannot fit y (underfitting); with many, it can overfit the noise.
     */
    static Split polynomial(int n, int degree, int features, long seed) {
        return split(seed, rng -> {
            var x = new float[n * features];
            var y = new float[n];
            for (int i = 0; i < n; i++) {
                double t = rng.nextGaussian(), term = 1, label = 0;   // term = t^k / k!
                for (int k = 0; k < Math.max(features, degree + 1); k++) {
                    if (k > 0) term *= t / k;
                    if (k < features) x[i * features + k] = (float) term;
                    if (k <= degree && k < POLY.length) label += POLY[k] * term;
                }
                y[i] = (float) (label + POLY_NOISE * rng.nextGaussian());
            }
            return new Table(List.of(Column.floats(new int[] {features}, x), Column.floats(new int[0], y)));
        });
    }

    /** d2l 3.7's high-dimensional problem: y = 0.05 + 0.01·Σ x_i + noise·N(0, 1). */
    static final double HIGH_DIM_BIAS = 0.05, HIGH_DIM_WEIGHT = 0.01;

    /**
     * d2l 3.7 (weight decay): x ~ N(0, I) in {@code features} dimensions, y = 0.05 + 0.01·Σ x_i
     * + noise·N(0, 1), with few training examples ({@code n}, d2l 20) against many features
     * (d2l 200), so that an unregularized linear model fits the training set exactly and
     * generalizes badly; the test part has {@code nTest} examples (d2l 100).
     */
    static Split highDimRegression(int n, int nTest, int features, double noise, long seed) {
        Sized g = count -> rng -> {
            float[] x = gaussian(rng, count * features);
            var y = new float[count];
            for (int i = 0; i < count; i++) {
                double sum = 0;
                for (int j = 0; j < features; j++) sum += x[i * features + j];
                y[i] = (float) (HIGH_DIM_BIAS + HIGH_DIM_WEIGHT * sum + noise * rng.nextGaussian());
            }
            return new Table(List.of(Column.floats(new int[] {features}, x), Column.floats(new int[0], y)));
        };
        return new Split(g.of(n).draw(new Random(seed)), g.of(nTest).draw(new Random(seed + 1)));
    }

    private interface Generator { Table draw(Random rng); }

    /** A generator for a given number of examples, where training and test parts differ in size. */
    private interface Sized { Generator of(int count); }

    /** Training data from the seed, test data from the next generator: independent draws. */
    private static Split split(long seed, Generator g) {
        return new Split(g.draw(new Random(seed)), g.draw(new Random(seed + 1)));
    }

    private static float[] gaussian(Random rng, int count) {
        var out = new float[count];
        for (int i = 0; i < count; i++) out[i] = (float) rng.nextGaussian();
        return out;
    }

    private static double dot(float[] x, int row, double[] w) {
        double s = 0;
        for (int j = 0; j < w.length; j++) s += x[row * w.length + j] * w[j];
        return s;
    }
}
