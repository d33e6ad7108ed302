package dev.dlc.data;

import dev.dlc.types.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST from the four gzipped IDX files of its distribution: x f32[B,1,R,R] with
 * pixels scaled to [0,1], y i32[B] in 0..9. Pixels stay bytes in memory (47 MB for the
 * training set) and are scaled, and resized when R is not the files' 28, as batches are cut:
 * resized floats of 60000 images at R = 224 would take 12 GB.
 */
final class FashionMnist {
    static final String DEFAULT_ROOT = "/usr/share/datasets/fashion-mnist";
    static final String PACKAGE = "dataset-fashion-mnist";
    private static final int CLASSES = 10;
    private static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    private FashionMnist() {}

    static Split open(Path root, int resize) throws DataError {
        checkInstalled(root);
        return new Split(part(root, "train", resize), part(root, "t10k", resize));
    }

    /** A missing folder or file is a missing package far more often than a damaged one: say which. */
    private static void checkInstalled(Path root) throws DataError {
        for (String f : FILES) {
            if (Files.isRegularFile(root.resolve(f))) continue;
            String what = Files.isDirectory(root) ? "no " + f + " in " + root : "no folder " + root;
            throw new DataError("fashion_mnist: " + what + "; install the data set with `apt-get install " + PACKAGE
                    + "`, or pass root = \"DIR\" naming a folder that holds " + String.join(", ", FILES));
        }
    }

    private static Table part(Path root, String prefix, int resize) throws DataError {
        Path imageFile = root.resolve(prefix + "-images-idx3-ubyte.gz"), labelFile = root.resolve(prefix + "-labels-idx1-ubyte.gz");
        Idx images = Idx.read(imageFile, 3), labels = Idx.read(labelFile, 1);
        if (images.dims[0] != labels.dims[0])
            throw new DataError(imageFile + " holds " + images.dims[0] + " images but " + labelFile + " holds " + labels.dims[0] + " labels");
        var y = new int[labels.data.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.data[i] & 0xFF;
            if (y[i] >= CLASSES) throw new DataError(labelFile + ": label " + y[i] + " of example " + i + " is not a class 0.." + (CLASSES - 1));
        }
        var x = new ImageColumn(images.data, images.dims[0], images.dims[1], images.dims[2], resize);
        return new Table(List.of(x, Column.ints(new int[0], y)));
    }

    /** Grey images stored as bytes; a row is the image scaled to [0,1] and resized to R×R. */
    private static final class ImageColumn extends Column {
        private static final float[] SCALE = new float[256];
        static { for (int i = 0; i < 256; i++) SCALE[i] = (float) (i / 255.0); }

        private final byte[] pixels;
        private final int h, w, r;
        private final Bilinear rows, cols;

        ImageColumn(byte[] pixels, int n, int h, int w, int r) {
            super(DType.F32, new int[] {1, r, r}, n);
            this.pixels = pixels;
            this.h = h;
            this.w = w;
            this.r = r;
            this.rows = new Bilinear(h, r);
            this.cols = new Bilinear(w, r);
        }

        /** At the files' own size, a compiled backend's row: its bytes scaled a vector at a time. */
        @Override void copyRow(int row, float[] dst, int offset) {
            if (h != r || w != r) { super.copyRow(row, dst, offset); return; }
            dev.dlc.exec.cpu.Pixels.scaled(pixels, row * h * w, dst, offset, h * w);
        }

        @Override void copyRow(int row, double[] dst, int offset) {
            int base = row * h * w;
            if (h == r && w == r) {
                for (int i = 0; i < h * w; i++) dst[offset + i] = SCALE[pixels[base + i] & 0xFF];
                return;
            }
            for (int i = 0; i < r; i++) {
                int r0 = base + rows.lo[i] * w, r1 = base + rows.hi[i] * w;
                double wy = rows.frac[i];
                for (int j = 0; j < r; j++) {
                    int c0 = cols.lo[j], c1 = cols.hi[j];
                    double wx = cols.frac[j];
                    double top = SCALE[pixels[r0 + c0] & 0xFF] * (1 - wx) + SCALE[pixels[r0 + c1] & 0xFF] * wx;
                    double bottom = SCALE[pixels[r1 + c0] & 0xFF] * (1 - wx) + SCALE[pixels[r1 + c1] & 0xFF] * wx;
                    dst[offset + i * r + j] = (float) (top * (1 - wy) + bottom * wy);   // an f32 value, as the type says
                }
            }
        }
    }
}
