package dev.dlc.exec.cpu;

/**
 * The storage a compiled program's kernels run on: every value lives in one of three tables
 * of arrays, chosen by dtype (see {@link Storage}), and a generated kernel reads and writes
 * them at offsets fixed when the program was compiled. {@code f[0]} is the arena of the memory
 * plan. {@code seed} is the step's random seed (dropout), set before each run.
 */
public final class Frame {
    public final float[][] f;
    public final int[][] i;
    public final double[][] d;
    public long seed;

    Frame(float[][] f, int[][] i, double[][] d) {
        this.f = f;
        this.i = i;
        this.d = d;
    }
}
