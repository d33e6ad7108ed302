package dev.dlc.exec.cpu;

/**
 * The storage a compiled program's kernels run on: every value lives in one of three tables
 * of arrays, chosen by dtype (see {@link Storage}), and a generated kernel reads and writes
 * them at offsets fixed when the program was compiled. {@code f[0]} is the arena of the memory
 * plan. {@code seed} is the step's random seed (dropout), set before each run; {@code scope}
 * mixes it with a scan's step.
 */
public final class Frame {
    public final float[][] f;
    public final int[][] i;
    public final double[][] d;
    public long seed;
    /** The random scope of this run of the program: 0 at the top, a compiled scan's step in its body (see {@code CounterRng.stream}). */
    public long scope;

    Frame(float[][] f, int[][] i, double[][] d) {
        this.f = f;
        this.i = i;
        this.d = d;
    }

    /** Two whole arrays of one table trade slots: a next value becomes the value without a copy. */
    void trade(Storage.Loc a, Storage.Loc b) {
        switch (a.table()) {
            case 'f' -> { float[] t = f[a.slot()]; f[a.slot()] = f[b.slot()]; f[b.slot()] = t; }
            case 'i' -> { int[] t = i[a.slot()]; i[a.slot()] = i[b.slot()]; i[b.slot()] = t; }
            default -> { double[] t = d[a.slot()]; d[a.slot()] = d[b.slot()]; d[b.slot()] = t; }
        }
    }
}
