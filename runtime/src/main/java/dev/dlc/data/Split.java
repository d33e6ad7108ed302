package dev.dlc.data;

import java.util.Arrays;

/**
 * A data set's training and test parts. {@code test} is null where the source has none (a
 * CSV file, a corpus); the training loop may then {@link #holdOut} a fraction.
 */
public record Split(DataSet train, DataSet test) {

    /**
     * Holds out {@code fraction} of {@code data} (rounded, at least one example when the
     * fraction is positive) as the test part; which examples is decided by a permutation
     * seeded with {@code seed}, and each part keeps the data's order.
     */
    public static Split holdOut(DataSet data, double fraction, long seed) throws DataError {
        int n = data.size();
        if (!(fraction > 0 && fraction < 1)) throw new DataError("hold-out fraction must lie strictly between 0 and 1, found " + fraction);
        int held = Math.max(1, (int) Math.round(n * fraction));
        if (held >= n) throw new DataError("cannot hold out " + fraction + " of " + n + " examples: nothing would be left to train on");
        int[] order = Batches.order(n, true, seed, 0);
        int[] test = Arrays.copyOfRange(order, n - held, n);
        int[] train = Arrays.copyOfRange(order, 0, n - held);
        Arrays.sort(test);
        Arrays.sort(train);
        return new Split(new Subset(data, train), new Subset(data, test));
    }
}
