package dev.dlc.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A gzipped IDX file (the MNIST format): a 4-byte magic {0, 0, type, rank}, then rank
 * big-endian int32 sizes, then the elements row-major. Only type 0x08 (unsigned bytes) is
 * read, the only one MNIST and Fashion-MNIST use. The header is checked against the expected
 * rank and the body against the header: a truncated or padded file is an error naming it.
 */
final class Idx {
    private static final int UBYTE = 0x08;
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    final int[] dims;
    final byte[] data;

    private Idx(int[] dims, byte[] data) {
        this.dims = dims;
        this.data = data;
    }

    /** Reads {@code file}, which must hold unsigned bytes of rank {@code rank}. */
    static Idx read(Path file, int rank) throws DataError {
        // Buffers on both sides of the inflater: the file read in large blocks, the body read in one call.
        try (var in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(file), 1 << 16), 1 << 16))) {
            int[] dims = header(in, file, rank);
            long count = 1;
            for (int d : dims) count *= d;
            if (count > MAX_ELEMENTS) throw new DataError(file + ": IDX sizes " + Arrays.toString(dims) + " are too large");
            byte[] data = in.readNBytes((int) count);
            if (data.length < count)
                throw new DataError(file + ": truncated: the header promises " + count + " bytes of data " + Arrays.toString(dims) + ", the file holds " + data.length);
            if (in.read() != -1) throw new DataError(file + ": more data than the header's sizes " + Arrays.toString(dims) + " account for");
            return new Idx(dims, data);
        } catch (NoSuchFileException e) {
            throw new DataError(file + ": no such file");
        } catch (EOFException e) {
            throw new DataError(file + ": truncated (the file ends inside its gzip stream or IDX header)", e);
        } catch (ZipException e) {
            throw new DataError(file + ": not a valid gzip file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataError(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static int[] header(DataInputStream in, Path file, int rank) throws IOException, DataError {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xFF, r = magic & 0xFF;
        if ((magic >>> 16) != 0 || type != UBYTE)
            throw new DataError(file + ": not an IDX file of unsigned bytes (magic number 0x" + String.format("%08x", magic) + ", expected 0x0000080" + rank + ")");
        if (r != rank) throw new DataError(file + ": an IDX file of rank " + r + ", expected rank " + rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readInt();
            if (dims[i] <= 0) throw new DataError(file + ": IDX size " + i + " is " + Integer.toUnsignedString(dims[i]) + ", expected a positive size");
        }
        return dims;
    }
}
