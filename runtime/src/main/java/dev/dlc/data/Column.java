package dev.dlc.data;

import dev.dlc.types.DType;

/**
 * One part of a table's examples (the images, the labels): a dtype, the shape of one row,
 * and how to copy a row out as doubles. Rows are stored compactly (floats, ints, bytes) and
 * widened only when a batch is cut.
 */
abstract class Column {
    final DType dtype;
    private final int[] rowShape;
    final int width;
    final int rows;

    Column(DType dtype, int[] rowShape, int rows) {
        this.dtype = dtype;
        this.rowShape = rowShape.clone();
        this.width = dev.dlc.ops.Tensor.numel(rowShape);
        this.rows = rows;
    }

    int[] rowShape() { return rowShape.clone(); }

    /** Writes row {@code row}'s {@code width} values at {@code dst[offset..]}. */
    abstract void copyRow(int row, double[] dst, int offset);


    /** The same as floats (a compiled backend's storage); columns stored as floats or bytes copy without widening. */
    void copyRow(int row, float[] dst, int offset) {
        var tmp = new double[width];
        copyRow(row, tmp, 0);
        for (int i = 0; i < width; i++) dst[offset + i] = (float) tmp[i];
    }

    /** The same as ints (labels, token ids, bools as 0 and 1). */
    void copyRow(int row, int[] dst, int offset) {
        var tmp = new double[width];
        copyRow(row, tmp, 0);
        for (int i = 0; i < width; i++) dst[offset + i] = (int) tmp[i];
    }

    /** f32 rows; floats convert to doubles exactly, so batches hold f32 values as they are. */
    static Column floats(int[] rowShape, float[] data) {
        int w = dev.dlc.ops.Tensor.numel(rowShape);
        return new Column(DType.F32, rowShape, checkedRows(data.length, w)) {
            @Override void copyRow(int row, double[] dst, int offset) {
                for (int i = 0, src = row * w; i < w; i++) dst[offset + i] = data[src + i];
            }

            @Override void copyRow(int row, float[] dst, int offset) { System.arraycopy(data, row * w, dst, offset, w); }
        };
    }

    /** i32 rows. */
    static Column ints(int[] rowShape, int[] data) {
        int w = dev.dlc.ops.Tensor.numel(rowShape);
        return new Column(DType.I32, rowShape, checkedRows(data.length, w)) {
            @Override void copyRow(int row, double[] dst, int offset) {
                for (int i = 0, src = row * w; i < w; i++) dst[offset + i] = data[src + i];
            }

            @Override void copyRow(int row, int[] dst, int offset) { System.arraycopy(data, row * w, dst, offset, w); }
        };
    }

    private static int checkedRows(int length, int width) {
        if (width == 0 || length % width != 0) throw new IllegalArgumentException(length + " values do not make rows of " + width);
        return length / width;
    }
}
