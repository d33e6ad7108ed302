package dev.dlc.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The minibatches of an epoch as index arrays. Shuffling is seeded per (seed, epoch), so a
 * run that resumes at epoch e sees the same order it would have seen without stopping. The
 * last batch holds what is left ({@code size % batch} examples) unless it is dropped: the
 * batch dimension of a data set's element types is the symbol B for this reason.
 */
public final class Batches {
    private Batches() {}

    /** The minibatches of epoch {@code epoch}: shuffled unless the data set is {@link DataSet#ordered}. */
    public static List<int[]> epoch(DataSet data, int batch, long seed, int epoch) {
        return split(order(data.size(), !data.ordered(), seed, epoch), batch, false);
    }

    /** 0..size-1, shuffled (Fisher-Yates) with a generator seeded by seed and epoch, or in order. */
    public static int[] order(int size, boolean shuffle, long seed, int epoch) {
        var order = new int[size];
        Arrays.setAll(order, i -> i);
        if (!shuffle) return order;
        var rng = new Random(mix(seed, epoch));
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        return order;
    }

    /** Cuts {@code order} into runs of {@code batch}; the last run is shorter unless dropped. */
    public static List<int[]> split(int[] order, int batch, boolean dropLast) {
        if (batch <= 0) throw new IllegalArgumentException("batch size must be positive, found " + batch);
        var out = new ArrayList<int[]>(count(order.length, batch));
        for (int from = 0; from < order.length; from += batch) {
            int to = Math.min(order.length, from + batch);
            if (to - from < batch && dropLast) break;
            out.add(Arrays.copyOfRange(order, from, to));
        }
        return out;
    }

    /** How many batches an epoch has, the partial last one included. */
    public static int count(int size, int batch) { return (size + batch - 1) / batch; }

    /** The size of the last batch of an epoch: {@code batch} when it divides {@code size}. */
    public static int lastSize(int size, int batch) { return size % batch == 0 ? Math.min(size, batch) : size % batch; }

    /** One seed per epoch; the golden-ratio step keeps nearby (seed, epoch) pairs apart. */
    private static long mix(long seed, int epoch) { return seed * 0x9E3779B97F4A7C15L + epoch; }
}
