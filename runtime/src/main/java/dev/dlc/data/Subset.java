package dev.dlc.data;

import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.util.List;

/** Some examples of another data set, by index: a view, nothing is copied. */
public final class Subset implements DataSet {
    private final DataSet base;
    private final int[] indices;

    public Subset(DataSet base, int[] indices) {
        for (int i : indices)
            if (i < 0 || i >= base.size()) throw new IndexOutOfBoundsException("index " + i + " of a data set of " + base.size());
        this.base = base;
        this.indices = indices.clone();
    }

    /** The base data set's indices of this subset's examples, in order. */
    public int[] indices() { return indices.clone(); }

    @Override public int size() { return indices.length; }

    @Override public List<Tensor> batch(int[] which) { return base.batch(mapped(which)); }


    @Override public void batchInto(int[] which, int part, float[] dst) { base.batchInto(mapped(which), part, dst); }

    @Override public void batchInto(int[] which, int part, int[] dst) { base.batchInto(mapped(which), part, dst); }

    private int[] mapped(int[] which) {
        var mapped = new int[which.length];
        for (int i = 0; i < which.length; i++) mapped[i] = indices[which[i]];
        return mapped;
    }

    @Override public List<Type.Tensor> elementTypes(int batch) { return base.elementTypes(batch); }

    @Override public boolean ordered() { return base.ordered(); }
}
