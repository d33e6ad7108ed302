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

    /** The types of {@link #batch} for a batch of {@code batch} examples. */
    List<Type.Tensor> elementTypes(int batch);

    /**
     * True where the order of the examples carries meaning across batches (a text read in
     * sequential partitions: row b of one batch goes on in row b of the next), so the
     * training loop must not shuffle it.
     */
    default boolean ordered() { return false; }
}
