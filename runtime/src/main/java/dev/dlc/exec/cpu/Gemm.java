package dev.dlc.exec.cpu;

import static dev.dlc.exec.cpu.MicroKernel.MR;
import static dev.dlc.exec.cpu.MicroKernel.NR;
import static dev.dlc.exec.cpu.MicroKernel.RUN;

import java.util.Arrays;

/**
 * Single-precision matrix products on float arrays: {@code C (= | +=) op(A) · op(B)}, then an
 * {@link Epilogue}, with op a transpose or not, optionally batched. The layout is GotoBLAS's:
 * for each NC-column block of C and each KC-deep slice of K, a block of B is packed into
 * NR-wide panels; for each MC-row block, a block of A into MR-high panels; the
 * {@link MicroKernel} then sweeps the MR × NR tiles. Sizes (AVX-512, NR = 64):
 * <ul>
 * <li>KC = 256: a B panel (KC × NR floats, 64 KiB) is read from L2 by each tile of the A block
 *     (the hardware prefetcher streams it; 128, which keeps it in the 48 KiB L1, measured no
 *     faster) and C is read and written once per 256 multiply-adds;
 * <li>MC = 240: the packed A block (240 KiB) stays in the 2 MiB L2 for every B panel;
 * <li>NC = 1024: the packed B block (1 MiB) fits the L2 beside it (2048 measured slower at 2048³).
 * </ul>
 * Threads split the tiles of C along M (or along N when N has more tiles), each packing what its
 * tiles need (a product with A gathered in place packs B once for all of them, see
 * {@link #multiplyGathered}); a batch's items are split with them. Each element's sum runs
 * over k in order, in KC slices that continue from C's running value (from zero, or from C's
 * old value when accumulating): the order depends on K and KC only, so the result does not
 * depend on the thread count. Products of at most {@link #SMALL} multiply-adds skip packing (one
 * fma chain per element).
 */
public final class Gemm {
    private Gemm() {}

    static final int KC = 256, MC = 240, NC = 1024;
    /** Below this many multiply-adds per product, packing costs more than it saves. */
    static final int SMALL = 1 << 13;
    /** Below this many multiply-adds in all, one thread finishes before a second would start. */
    private static final long PARALLEL_MIN = 1 << 17;

    /**
     * A matrix in a float array: element (i, j) of the operand is {@code data[offset + i·ld + j]},
     * or {@code data[offset + j·ld + i]} when {@code transposed} (the array holds its transpose).
     */
    public record Operand(float[] data, int offset, int ld, boolean transposed) {
        /** A row-major matrix with {@code ld} columns at the start of {@code data}. */
        public static Operand of(float[] data, int ld) { return new Operand(data, 0, ld, false); }

        /** The same storage read as its transpose. */
        public Operand t() { return new Operand(data, offset, ld, !transposed); }

        float at(int i, int j) { return transposed ? data[offset + j * ld + i] : data[offset + i * ld + j]; }

        Operand shifted(int by) { return by == 0 ? this : new Operand(data, offset + by, ld, transposed); }
    }

    /**
     * An A read in place, never packed: element (i, p) is {@code data[rows[i] + ks[p]]}. A
     * convolution's window matrix is one: row i's offset is its window's start in the padded
     * input, k's the offset of its tap within the window.
     */
    record Gathered(float[] data, int[] rows, int[] ks) {}

    /** Packs rows [i0, i0 + mc) of op(A), k in [p0, p0 + kc), as MR-row panels {@code [kc][MR]}, rows past the edge zero. */
    @FunctionalInterface
    interface RowPanels {
        void pack(int i0, int mc, int p0, int kc, float[] to);
    }

    /** Packs columns [j0, j0 + nc) of op(B), k in [p0, p0 + kc), as NR-column panels {@code [kc][NR]} from {@code to[from]}, columns past the edge zero. */
    @FunctionalInterface
    interface ColumnPanels {
        void pack(int j0, int nc, int p0, int kc, float[] to, int from);
    }

    /** {@code C[m,n] (= | +=) A[m,k] · B[k,n]}, then the epilogue on every element of C. */
    public static void multiply(int m, int n, int k, Operand a, Operand b, Operand c, boolean accumulate, Epilogue epilogue) {
        multiplyBatched(1, m, n, k, a, 0, b, 0, c, 0, accumulate, epilogue);
    }

    /**
     * {@code batch} products, item t reading A, B and C at their offsets plus t times their
     * stride; a stride 0 reuses one operand for every item (a weight shared by a batch).
     */
    public static void multiplyBatched(int batch, int m, int n, int k, Operand a, int strideA, Operand b, int strideB,
                                       Operand c, int strideC, boolean accumulate, Epilogue epilogue) {
        if (batch < 0) throw new IllegalArgumentException("gemm: negative batch");
        var shape = new Shape(m, n, k, c, accumulate, epilogue);
        if (batch == 0 || m == 0 || n == 0) return;
        long perItem = (long) m * n * k;
        int tiles = perItem <= SMALL ? 1 : shape.tiles();
        Parallel.IntRangeBody body = (lo, hi) -> {
            for (int t = lo / tiles; t * tiles < hi; t++) {
                Operand at = a.shifted(t * strideA), bt = b.shifted(t * strideB), ct = c.shifted(t * strideC);
                if (perItem <= SMALL) shape.direct(at, bt, ct);
                else shape.strips(Math.max(lo, t * tiles) - t * tiles, Math.min(hi, (t + 1) * tiles) - t * tiles,
                        (i0, mc, p0, kc, to) -> Packing.packA(at, i0, mc, p0, kc, to),
                        (j0, nc, p0, kc, to, from) -> Packing.packB(bt, j0, nc, p0, kc, to, from), ct);
            }
        };
        run(batch * tiles, perItem * batch, body);
    }

    /**
     * One product whose operands pack themselves (a convolution packs its input windows
     * straight from the image): always blocked, split over the threads like any other.
     */
    static void multiplyPacked(int m, int n, int k, RowPanels a, ColumnPanels b, Operand c, boolean accumulate, Epilogue epilogue) {
        var shape = new Shape(m, n, k, c, accumulate, epilogue);
        if (m == 0 || n == 0) return;
        run(shape.tiles(), (long) m * n * k, (lo, hi) -> shape.strips(lo, hi, a, b, c));
    }

    /**
     * {@code C[m,n] (= | +=) A[m,k] · B[k,n]} with A gathered in place. B is packed once, every
     * K slice of it, into panels all threads read (a thread packing the B of its own strip of
     * rows transposed ResNet-18's 2.4 M 512-channel weights on each thread, half their time);
     * then the threads take pieces of rows, {@link MicroKernel#RUN} at a time, or of NR-column
     * strips where there are more of those, through {@link Parallel#forPieces}: a thread that
     * finishes early takes rows of the other's share (GoogLeNet at batch 16, split statically:
     * each thread waited for the other 10-12% of a step). C may be stored transposed when it
     * is written once (one K slice, not accumulated, no epilogue): each tile then goes through scratch into C's rows, runs of MR, instead of the
     * whole product being transposed afterwards (a convolution's weight gradient, written
     * swapped). Over several K slices each tile would go through scratch again per slice: a
     * small CNN's K of 25,088 was slower so than transposing once.
     */
    static void multiplyGathered(int m, int n, int k, Gathered a, ColumnPanels b, Operand c, boolean accumulate, Epilogue epilogue) {
        if (c.transposed() && (accumulate || k == 0 || k > KC || !epilogue.isIdentity()))
            throw new IllegalArgumentException("gemm: a transposed C is written once, from one K slice, without an epilogue");
        int strips = ceilDiv(n, NR), rowPieces = ceilDiv(m, RUN), pieces = Math.max(rowPieces, strips);
        // Shape wants C row-major; a transposed C's tiles are the same, only stored the other way
        var shape = new Shape(m, n, k, c.transposed() ? c.t() : c, accumulate, epilogue).splitting(rowPieces >= strips);
        if (m == 0 || n == 0) return;
        float[] packed = packAll(b, n, k, strips);
        Parallel.IntRangeBody body = (lo, hi) -> shape.gatheredStrips(lo, hi, a, packed, c);
        if ((long) m * n * k < PARALLEL_MIN) body.run(0, pieces);
        else Parallel.forPieces(pieces, body);
    }

    /** Below this many floats of B, the caller packs B alone: a dispatch would cost more. */
    private static final int PACK_PARALLEL_MIN = 1 << 16;

    /**
     * All of B as {@link #blocked} reads it: K slice pc's panels from {@code pc·strips·NR}, strip
     * s's panel within them from {@code s·kc·NR} (see {@link #panels}), in this thread's scratch.
     */
    private static float[] packAll(ColumnPanels b, int n, int k, int strips) {
        float[] packed = Scratch.floats(Scratch.PACKED_B, strips * NR * k);
        Parallel.IntRangeBody pack = (lo, hi) -> {
            for (int s = lo; s < hi; s++)
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    b.pack(s * NR, Math.min(NR, n - s * NR), pc, kc, packed, panels(pc, s * NR, kc, strips));
                }
        };
        if ((long) strips * NR * k < PACK_PARALLEL_MIN) pack.run(0, strips);
        else Parallel.forPieces(strips, pack);
        return packed;
    }

    /** Where {@link #packAll} put the panel of K slice pc (kc deep) for the columns from j (a multiple of NR). */
    private static int panels(int pc, int j, int kc, int strips) { return pc * strips * NR + j / NR * kc * NR; }

    private static void run(int units, long work, Parallel.IntRangeBody body) {
        if (work < PARALLEL_MIN) body.run(0, units);
        else Parallel.forRange(units, body);
    }

    /**
     * One product's sizes and output treatment. Threads take strips of C: MR rows each, or NR
     * columns when N has more tiles than M.
     */
    private record Shape(int m, int n, int k, boolean accumulate, Epilogue epilogue, boolean splitRows) {
        Shape(int m, int n, int k, Operand c, boolean accumulate, Epilogue epilogue) {
            this(m, n, k, accumulate, epilogue, ceilDiv(m, MR) >= ceilDiv(n, NR));
            if (c.transposed()) throw new IllegalArgumentException("gemm: C must be row-major");
            if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("gemm: negative size");
        }

        Shape splitting(boolean rows) { return new Shape(m, n, k, accumulate, epilogue, rows); }

        int tiles() { return splitRows ? ceilDiv(m, MR) : ceilDiv(n, NR); }

        /** Strips [first, end) of C, MR rows or NR columns each, A and B packed by {@code a} and {@code b}. */
        void strips(int first, int end, RowPanels a, ColumnPanels b, Operand c) {
            if (splitRows) blocked(a, null, b, null, c, first * MR, Math.min(m, end * MR), 0, n);
            else blocked(a, null, b, null, c, 0, m, first * NR, Math.min(n, end * NR));
        }

        /** Strips [first, end) of C, RUN rows or NR columns each, A gathered, B packed by {@link #packAll}. */
        void gatheredStrips(int first, int end, Gathered a, float[] packedB, Operand c) {
            if (splitRows) blocked(null, a, null, packedB, c, first * RUN, Math.min(m, end * RUN), 0, n);
            else blocked(null, a, null, packedB, c, 0, m, first * NR, Math.min(n, end * NR));
        }

        /** A small product: each element one fma chain over k. */
        void direct(Operand a, Operand b, Operand c) {
            float[] cd = c.data();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) sum = Math.fma(a.at(i, p), b.at(p, j), sum);
                    int at = c.offset() + i * c.ld() + j;
                    cd[at] = accumulate ? cd[at] + sum : sum;
                }
            epilogue.apply(cd, c.offset(), c.ld(), m, n, 0, 0);
        }

        /**
         * Rows [i0, i1) and columns [j0, j1) of C, through packed blocks: A packed by {@code a}
         * and B by {@code b}, or A gathered and B already packed ({@link #packAll}).
         */
        private void blocked(RowPanels a, Gathered gathered, ColumnPanels b, float[] packedB, Operand c, int i0, int i1, int j0, int j1) {
            if (k == 0) {
                zeroUnlessAccumulating(c, i0, i1, j0, j1);
                return;
            }
            var buffers = Buffers.LOCAL.get();
            for (int jc = j0; jc < j1; jc += NC) {
                int nc = Math.min(NC, j1 - jc);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    if (gathered == null) b.pack(jc, nc, pc, kc, buffers.b, 0);
                    boolean add = accumulate || pc > 0, last = pc + kc == k;
                    for (int ic = i0; ic < i1; ic += MC) {
                        int mc = Math.min(MC, i1 - ic);
                        if (gathered == null) {
                            a.pack(ic, mc, pc, kc, buffers.a);
                            sweep(buffers, c, ic, mc, jc, nc, kc, add, last);
                        } else sweepGathered(buffers, gathered, packedB, panels(pc, jc, kc, ceilDiv(n, NR)), c, ic, mc, jc, nc, pc, kc, add, last);
                    }
                }
            }
        }

        /** Every tile of one packed A block against one packed B block; the epilogue after the last K slice. */
        private void sweep(Buffers buffers, Operand c, int ic, int mc, int jc, int nc, int kc, boolean add, boolean last) {
            float[] cd = c.data();
            for (int jr = 0; jr < nc; jr += NR) {
                int cols = Math.min(NR, nc - jr), bo = jr / NR * kc * NR;
                for (int ir = 0; ir < mc; ir += MR) {
                    int rows = Math.min(MR, mc - ir), ao = ir / MR * kc * MR;
                    int co = c.offset() + (ic + ir) * c.ld() + jc + jr;
                    if (cols <= NR / 2) {
                        // a panel's rows past the edge are zeros: read them like the others
                        for (int r = 0; r < MR; r++) buffers.rows[r] = ao + r;
                        half(buffers, buffers.a, buffers.rows, 0, MicroKernel.PANEL_KS, 0, buffers.b, bo, kc, cd, co, c.ld(), add, rows, cols);
                    } else if (rows == MR && cols == NR) MicroKernel.tile(buffers.a, ao, buffers.b, bo, kc, cd, co, c.ld(), add);
                    else MicroKernel.edge(buffers.a, ao, buffers.b, bo, kc, cd, co, c.ld(), add, rows, cols, buffers.edge);
                    if (last) epilogue.apply(cd, co, c.ld(), rows, cols, ic + ir, jc + jr);
                }
            }
        }

        /** {@link #sweep} with A's rows read in place, k from pc, and B's block at {@code b[b0]}. */
        private void sweepGathered(Buffers buffers, Gathered a, float[] b, int b0, Operand c, int ic, int mc, int jc, int nc, int pc, int kc,
                                   boolean add, boolean last) {
            float[] cd = c.data(), x = a.data();
            int[] ks = a.ks();
            for (int jr = 0; jr < nc; jr += NR) {
                int cols = Math.min(NR, nc - jr), bo = b0 + jr / NR * kc * NR;
                for (int ir = 0; ir < mc; ir += MR) {
                    int rows = Math.min(MR, mc - ir), co = c.offset() + (ic + ir) * c.ld() + jc + jr;
                    boolean twelve = mc - ir >= RUN && (cols == NR / 2 || cols == NR), runs = twelve && inRuns(a.rows(), ic + ir);
                    if (twelve && (cols == NR / 2 || runs)) {
                        // twelve rows: a strip of 32 columns as a run or a tall tile, a whole
                        // panel as two run tiles, one per half (see MicroKernel.runTile)
                        for (int h = 0; h < cols; h += NR / 2) {
                            // C stored transposed: as below, the tile's RUN × NR / 2 floats fill the scratch tile
                            float[] to = c.transposed() ? buffers.edge : cd;
                            int at = c.transposed() ? 0 : co + h, ld = c.transposed() ? NR / 2 : c.ld();
                            if (runs) MicroKernel.runTile(x, a.rows()[ic + ir], a.rows()[ic + ir + MR], ks, pc, b, bo + h, kc, to, at, ld, add);
                            else MicroKernel.tallTile(x, a.rows(), ic + ir, ks, pc, b, bo + h, kc, to, at, ld, add);
                            if (c.transposed()) VectorMath.transpose(to, 0, RUN, NR / 2, NR / 2, cd, c.offset() + (jc + jr + h) * c.ld() + ic + ir, c.ld());
                        }
                        if (last && !c.transposed()) epilogue.apply(cd, co, c.ld(), RUN, cols, ic + ir, jc + jr);
                        ir += RUN - MR;
                        continue;
                    }
                    // rows past the edge repeat the last one (inside x); the scratch tile drops them
                    if (rows < MR) for (int r = 0; r < MR; r++) buffers.rows[r] = a.rows()[ic + ir + Math.min(r, rows - 1)];
                    int[] rs = rows == MR ? a.rows() : buffers.rows;
                    int rowAt = rows == MR ? ic + ir : 0;
                    if (c.transposed()) {
                        // C stored transposed (one K slice, nothing to add): the tile in scratch,
                        // then each of its columns as a run of rows into C's row
                        int at = c.offset() + (jc + jr) * c.ld() + ic + ir;
                        float[] e = buffers.edge;
                        if (cols <= NR / 2) MicroKernel.halfTile(x, rs, rowAt, ks, pc, b, bo, kc, e, 0, NR, false);
                        else MicroKernel.gatheredTile(x, rs, rowAt, ks, pc, b, bo, kc, e, 0, NR, false);
                        VectorMath.transpose(e, 0, rows, cols, NR, cd, at, c.ld());
                        continue;
                    }
                    if (cols <= NR / 2) half(buffers, x, rs, rowAt, ks, pc, b, bo, kc, cd, co, c.ld(), add, rows, cols);
                    else if (rows == MR && cols == NR) MicroKernel.gatheredTile(x, rs, rowAt, ks, pc, b, bo, kc, cd, co, c.ld(), add);
                    else MicroKernel.edge(cd, co, c.ld(), add, rows, cols, buffers.edge,
                                (t, to, ld) -> MicroKernel.gatheredTile(x, rs, rowAt, ks, pc, b, bo, kc, t, to, ld, add));
                    if (last) epilogue.apply(cd, co, c.ld(), rows, cols, ic + ir, jc + jr);
                }
            }
        }

        /** Whether A's {@link MicroKernel#RUN} rows from i on are two runs of MR neighbours, row r at {@code rows[i] + r} and row MR + r at {@code rows[i + MR] + r}. */
        private static boolean inRuns(int[] rows, int i) {
            for (int r = 1; r < MR; r++) if (rows[i + r] != rows[i] + r || rows[i + MR + r] != rows[i + MR] + r) return false;
            return true;
        }

        /** A tile of C at most NR / 2 wide: {@link MicroKernel#halfTile}, through the scratch tile unless it is whole. */
        private static void half(Buffers buffers, float[] x, int[] rows, int ri, int[] ks, int k0, float[] b, int bo, int kc,
                                 float[] cd, int co, int ldc, boolean add, int nrows, int cols) {
            if (nrows == MR && cols == NR / 2) MicroKernel.halfTile(x, rows, ri, ks, k0, b, bo, kc, cd, co, ldc, add);
            else MicroKernel.edge(cd, co, ldc, add, nrows, cols, buffers.edge,
                    (t, to, ld) -> MicroKernel.halfTile(x, rows, ri, ks, k0, b, bo, kc, t, to, ld, add));
        }

        /** k = 0: every sum is empty. */
        private void zeroUnlessAccumulating(Operand c, int i0, int i1, int j0, int j1) {
            for (int i = i0; i < i1; i++) {
                int row = c.offset() + i * c.ld();
                if (!accumulate) Arrays.fill(c.data(), row + j0, row + j1, 0f);
                epilogue.apply(c.data(), row + j0, c.ld(), 1, j1 - j0, i, j0);
            }
        }
    }

    /** Each thread's packing buffers, allocated once. */
    private static final class Buffers {
        static final ThreadLocal<Buffers> LOCAL = ThreadLocal.withInitial(Buffers::new);
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * ceilDiv(NC, NR) * NR];
        final float[] edge = new float[MR * NR];
        /** A tile's six row offsets where they are not A's own: a packed panel's, or an edge's repeated. */
        final int[] rows = new int[MR];
    }

    static int ceilDiv(int a, int b) { return (a + b - 1) / b; }
}
