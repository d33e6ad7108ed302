package dev.dlc.data;

import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.List;

/** A data set of columns with one row per example; a batch copies rows into one array per column. */
final class Table implements DataSet {
    private final List<Column> columns;
    private final int size;

    Table(List<Column> columns) {
        this.columns = List.copyOf(columns);
        this.size = columns.getFirst().rows;
        for (Column c : columns)
            if (c.rows != size) throw new IllegalArgumentException("columns of " + size + " and " + c.rows + " rows");
    }

    @Override public int size() { return size; }

    @Override public List<Tensor> batch(int[] indices) {
        var out = new ArrayList<Tensor>(columns.size());
        for (Column c : columns) {
            var data = new double[indices.length * c.width];
            for (int i = 0; i < indices.length; i++) c.copyRow(checked(indices[i]), data, i * c.width);
            out.add(Tensor.of(c.dtype, withBatch(indices.length, c.rowShape()), data));
        }
        return out;
    }


    @Override public void batchInto(int[] indices, int part, float[] dst) {
        Column c = columns.get(part);
        for (int i = 0; i < indices.length; i++) c.copyRow(checked(indices[i]), dst, i * c.width);
    }

    @Override public void batchInto(int[] indices, int part, int[] dst) {
        Column c = columns.get(part);
        for (int i = 0; i < indices.length; i++) c.copyRow(checked(indices[i]), dst, i * c.width);
    }

    private int checked(int index) {
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException("example " + index + " of " + size);
        return index;
    }

    @Override public List<Type.Tensor> elementTypes(int batch) {
        return columns.stream().map(c -> {
            int[] s = withBatch(batch, c.rowShape());
            var dims = new long[s.length];
            for (int i = 0; i < s.length; i++) dims[i] = s[i];
            return Type.tensor(c.dtype, dims);
        }).toList();
    }

    private static int[] withBatch(int batch, int[] rowShape) {
        var s = new int[rowShape.length + 1];
        s[0] = batch;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }
}
