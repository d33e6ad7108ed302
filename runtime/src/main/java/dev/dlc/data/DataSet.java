package dev.dlc.data;

import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.util.List;

/**
 * Examples held in memory, read in minibatches. An element is a list of tensors: the model's
 * inputs, then the labels, each with the batch as its first axis. Their dtypes and shapes are
 * the ones the checker declared for the data set (dev.dlc.check.Builtins), so a batch fits
 * the compiled train step without conversion.
 */
public interface DataSet {
    /** The number of examples. */
    int size();

    /** The examples at {@code indices}, in that order, one tensor per part of an element. */
    List<Tensor> batch(int[] indices);

    /**
     * Part {@code part} of the examples at {@code indices} (0: the first input, the labels
     * last) written row-major into {@code dst} from {@code dst[0]}: what a compiled backend's
     * input buffer holds, without a {@link Tensor} in between. For float parts.
     */
    default void batchInto(int[] indices, int part, float[] dst) {
        Tensor t = batch(indices).get(part);
        for (int i = 0; i < t.numel(); i++) dst[i] = (float) t.at(i);
    }

    /** The same for integer and bool parts (bools as 0 and 1). */
    default void batchInto(int[] indices, int part, int[] dst) {
        Tensor t = batch(indices).get(part);
        for (int i = 0; i < t.numel(); i++) dst[i] = (int) t.at(i);
    }

    /** The types of {@link #batch} for a batch of {@code batch} examples. */
    List<Type.Tensor> elementTypes(int batch);

    /**
     * True where the order of the examples carries meaning across batches (a text read in
     * sequential partitions: row b of one batch goes on in row b of the next), so the
     * training loop must not shuffle it.
     */
    default boolean ordered() { return false; }
}
