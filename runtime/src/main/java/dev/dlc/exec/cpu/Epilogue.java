package dev.dlc.exec.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a kernel does to each finished output element while its tile is still in cache:
 * {@code c[i][j] = act(c[i][j] + colBias[j] + rowBias[i])}, the biases optional (null). A layer's
 * {@code relu(x @ w + b)} is one GEMM with a column bias; a convolution's bias per output
 * channel is a row bias of its [O, H·W] product.
 */
public record Epilogue(float[] colBias, int colOffset, float[] rowBias, int rowOffset, Activation activation) {
    public enum Activation { NONE, RELU, SIGMOID, TANH }

    /** Nothing: the product as it is. */
    public static final Epilogue NONE = new Epilogue(null, 0, null, 0, Activation.NONE);

    private static final VectorSpecies<Float> S = VectorMath.S;

    public static Epilogue of(Activation activation) { return new Epilogue(null, 0, null, 0, activation); }

    /** This epilogue with {@code bias[offset + j]} added to column j. */
    public Epilogue withColBias(float[] bias, int offset) { return new Epilogue(bias, offset, rowBias, rowOffset, activation); }

    /** This epilogue with {@code bias[offset + i]} added to row i. */
    public Epilogue withRowBias(float[] bias, int offset) { return new Epilogue(colBias, colOffset, bias, offset, activation); }

    boolean isIdentity() { return colBias == null && rowBias == null && activation == Activation.NONE; }

    /**
     * Applies to the {@code rows × cols} block of c at {@code off} (row stride ldc) whose first
     * element is output element (i0, j0), for the bias indices.
     */
    void apply(float[] c, int off, int ldc, int rows, int cols, int i0, int j0) {
        if (isIdentity()) return;
        // One method per activation: C2 inlines a VectorMath function's dozens of vector ops
        // into a method once within its node budget; with sigmoid and tanh both in one loop one
        // was left a call, which boxes its vectors (LeNet's conv2 + sigmoid: 0.5 -> 4 ms).
        switch (activation) {
            case SIGMOID -> sigmoid(c, off, ldc, rows, cols, i0, j0);
            case TANH -> tanh(c, off, ldc, rows, cols, i0, j0);
            default -> linear(c, off, ldc, rows, cols, i0, j0);
        }
    }

    /** Biases, then relu or nothing. Everything inline: a vector handed to a method the JIT does not inline is boxed. */
    private void linear(float[] c, int off, int ldc, int rows, int cols, int i0, int j0) {
        boolean relu = activation == Activation.RELU;
        for (int i = 0; i < rows; i++) {
            int row = off + i * ldc;
            float rb = rowBias == null ? 0f : rowBias[rowOffset + i0 + i];
            for (int j = 0; j < cols; j += S.length()) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                FloatVector v = biased(c, row, j, rb, m, j0);
                if (relu) v = v.max(0f);
                v.intoArray(c, row + j, m);
            }
        }
    }

    private void sigmoid(float[] c, int off, int ldc, int rows, int cols, int i0, int j0) {
        for (int i = 0; i < rows; i++) {
            int row = off + i * ldc;
            float rb = rowBias == null ? 0f : rowBias[rowOffset + i0 + i];
            for (int j = 0; j < cols; j += S.length()) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                VectorMath.sigmoid(biased(c, row, j, rb, m, j0)).intoArray(c, row + j, m);
            }
        }
    }

    private void tanh(float[] c, int off, int ldc, int rows, int cols, int i0, int j0) {
        for (int i = 0; i < rows; i++) {
            int row = off + i * ldc;
            float rb = rowBias == null ? 0f : rowBias[rowOffset + i0 + i];
            for (int j = 0; j < cols; j += S.length()) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                VectorMath.tanh(biased(c, row, j, rb, m, j0)).intoArray(c, row + j, m);
            }
        }
    }

    /** The lanes of m from c[row + j], plus the biases (a small method: always inlined). */
    private FloatVector biased(float[] c, int row, int j, float rb, VectorMask<Float> m, int j0) {
        FloatVector v = FloatVector.fromArray(S, c, row + j, m);
        if (colBias != null) v = v.add(FloatVector.fromArray(S, colBias, colOffset + j0 + j, m));
        if (rowBias != null) v = v.add(rb);
        return v;
    }
}
