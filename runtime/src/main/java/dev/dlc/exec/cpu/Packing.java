package dev.dlc.exec.cpu;

import static dev.dlc.exec.cpu.MicroKernel.L;
import static dev.dlc.exec.cpu.MicroKernel.MR;
import static dev.dlc.exec.cpu.MicroKernel.NR;
import static dev.dlc.exec.cpu.MicroKernel.S;

import dev.dlc.exec.cpu.Gemm.Operand;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Copies blocks of A and B into the order the micro-kernel reads them: A as panels of MR rows
 * stored k-major ({@code [kc][MR]}), B as panels of NR columns ({@code [kc][NR]}), rows and
 * columns past the matrix edge zero. The kernel then reads both with unit stride, whatever the
 * operands' layouts and transposes were.
 */
final class Packing {
    private Packing() {}

    /** Rows [i0, i0 + mc) and k in [p0, p0 + kc) of op(A) into {@code ceil(mc/MR)} panels. */
    static void packA(Operand a, int i0, int mc, int p0, int kc, float[] to) {
        for (int q = 0; q * MR < mc; q++) {
            int base = q * kc * MR, rows = Math.min(MR, mc - q * MR), first = i0 + q * MR;
            if (rows < MR) Arrays.fill(to, base, base + kc * MR, 0f);
            if (a.transposed()) panelOfColumns(a, first, rows, p0, kc, to, base, MR);
            else panelOfRows(a, first, rows, p0, kc, to, base, MR);
        }
    }

    /** Columns [j0, j0 + nc) and k in [p0, p0 + kc) of op(B) into {@code ceil(nc/NR)} panels from {@code to[from]}. */
    static void packB(Operand b, int j0, int nc, int p0, int kc, float[] to, int from) {
        for (int q = 0; q * NR < nc; q++) {
            int base = from + q * kc * NR, cols = Math.min(NR, nc - q * NR), first = j0 + q * NR;
            if (cols < NR) Arrays.fill(to, base, base + kc * NR, 0f);
            if (b.transposed()) panelOfRows(b, first, cols, p0, kc, to, base, NR);
            else if (cols == NR) fullRowsOfB(b, first, p0, kc, to, base);
            else panelOfColumns(b, first, cols, p0, kc, to, base, NR);
        }
    }

    /**
     * Columns [j0, j0 + nc) and k in [p0, p0 + kc) of {@code B = wᵀ} for a group's weights
     * stored [C/G, O, KH, KW] (first two axes swapped; {@code off} at the group's first
     * channel): {@code B[k][j]}, k = (c, tap), lies at {@code off + (c·o + j)·taps + tap}, in
     * runs of {@code taps} along k; {@code flipped}: at tap {@code taps - 1 - tap} (the runs
     * reversed). Panels from {@code to[from]}.
     */
    static void packSwappedB(float[] w, int off, int o, int taps, int j0, int nc, int p0, int kc, float[] to, int from, boolean flipped) {
        for (int q = 0; q * NR < nc; q++) {
            int base = from + q * kc * NR, cols = Math.min(NR, nc - q * NR), first = j0 + q * NR;
            if (cols < NR) Arrays.fill(to, base, base + kc * NR, 0f);
            // SWAPPED_BLOCK columns at a time, k outside: each k writes that many consecutive
            // floats, read from as many runs `taps` apart. Column by column, each k's write went to
            // another cache line of a panel larger than L1 (a small CNN's weight gradient through
            // a 64-channel output gradient: 3.8 ms a step in this copy). A run in order is a
            // transpose, in 16 × 16 blocks where it is that long (a weight gradient's output
            // gradient planes: ResNet-18's stem, runs of 48 × 48, 2.1 ms of scalar copies on each
            // thread).
            for (int r0 = 0; r0 < cols; r0 += SWAPPED_BLOCK) {
                int r1 = Math.min(cols, r0 + SWAPPED_BLOCK);
                for (int p = 0; p < kc; ) {
                    int k = p0 + p, t = k % taps, len = Math.min(taps - t, kc - p), run = off + (k / taps * o + first) * taps;
                    if (!flipped) VectorMath.transpose(w, run + t + r0 * taps, r1 - r0, len, taps, to, base + p * NR + r0, NR);
                    else
                        for (int e = 0; e < len; e++) {
                            int d = base + (p + e) * NR, at = run + taps - 1 - t - e;
                            for (int r = r0; r < r1; r++) to[d + r] = w[at + r * taps];
                        }
                    p += len;
                }
            }
        }
    }

    /** Columns of {@link #packSwappedB} copied together: a cache line of floats. */
    private static final int SWAPPED_BLOCK = 16;

    /**
     * A panel whose {@code width} lines are stored rows of the operand (A's rows, or B's columns
     * of a transposed B): line r, element p goes to {@code to[base + p·width + r]}.
     */
    private static void panelOfRows(Operand m, int first, int lines, int p0, int kc, float[] to, int base, int width) {
        // a transpose: in 16 × 16 blocks where the panel is that wide (B's, from a transposed B
        // such as a convolution's weights); line by line, each k's write went to another cache
        // line of a panel larger than L1 (ResNet-18's 512-channel layers: 2.4M weights packed a
        // step, about a nanosecond each)
        VectorMath.transpose(m.data(), m.offset() + first * m.ld() + p0, lines, kc, m.ld(), to, base, width);
    }

    /** A panel whose lines lie along the operand's stored rows at k: contiguous copies of {@code lines} floats. */
    private static void panelOfColumns(Operand m, int first, int lines, int p0, int kc, float[] to, int base, int width) {
        float[] d = m.data();
        for (int p = 0; p < kc; p++) System.arraycopy(d, m.offset() + (p0 + p) * m.ld() + first, to, base + p * width, lines);
    }

    /** A whole panel of B, four vectors per k. */
    private static void fullRowsOfB(Operand b, int first, int p0, int kc, float[] to, int base) {
        float[] d = b.data();
        for (int p = 0; p < kc; p++) {
            int src = b.offset() + (p0 + p) * b.ld() + first, dst = base + p * NR;
            for (int v = 0; v < NR; v += L) FloatVector.fromArray(S, d, src + v).intoArray(to, dst + v);
        }
    }
}
