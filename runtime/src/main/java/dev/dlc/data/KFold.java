package dev.dlc.data;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * K-fold cross-validation (d2l 5.7's get_k_fold_data): fold i validates on the i-th of k
 * contiguous blocks and trains on the rest. Unlike d2l, the n % k examples left over are not
 * dropped: block i is [i*n/k, (i+1)*n/k), so the k validation parts partition the data.
 * Blocks are contiguous, not shuffled: shuffle first (a {@link Subset}) if the order matters.
 */
public final class KFold {
    private KFold() {}

    /** k splits of {@code data} into (train, validation), views of the data set. */
    public static List<Split> splits(DataSet data, int k) throws DataError {
        int n = data.size();
        if (k < 2 || k > n) throw new DataError("kfold: k must lie between 2 and the number of examples (" + n + "), found " + k);
        var out = new ArrayList<Split>(k);
        for (int i = 0; i < k; i++) {
            int from = (int) ((long) i * n / k), to = (int) ((long) (i + 1) * n / k);
            int[] validation = IntStream.range(from, to).toArray();
            int[] train = IntStream.concat(IntStream.range(0, from), IntStream.range(to, n)).toArray();
            out.add(new Split(new Subset(data, train), new Subset(data, validation)));
        }
        return out;
    }
}
