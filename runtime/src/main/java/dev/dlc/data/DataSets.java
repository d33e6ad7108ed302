package dev.dlc.data;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The data sets of std.data by name: what a train job's {@code data = NAME(...)} opens. The
 * names, options and defaults are the checker's (dev.dlc.check.Builtins, stdlib/std/data.dl),
 * and each data set's tensors have the element types the checker declared. Beyond the DL
 * options, Java callers may pass {@code seed} (generated data, text offsets; default 0),
 * {@code partition} for text ("random", the default, or "sequential") and {@code min_freq}
 * for translation (default 0). Relative paths are resolved by the caller's working folder.
 */
public final class DataSets {
    private DataSets() {}

    public static Split open(String kind, Map<String, Object> options) throws DataError {
        return switch (kind) {
            case "fashion_mnist" -> {
                var o = new Options(kind, options, Set.of("batch", "root", "resize"));
                yield FashionMnist.open(Path.of(o.string("root", FashionMnist.DEFAULT_ROOT)), o.positive("resize", 28));
            }
            case "synthetic_regression" -> {
                var o = new Options(kind, options, Set.of("n", "features", "noise", "batch", "seed"));
                yield Synthetic.regression(o.positive("n", null), o.positive("features", null), o.real("noise", 0.01), o.integer("seed", 0));
            }
            case "synthetic_binary" -> {
                var o = new Options(kind, options, Set.of("n", "features", "batch", "seed"));
                yield Synthetic.binary(o.positive("n", null), o.positive("features", null), o.integer("seed", 0));
            }
            case "synthetic_classification" -> {
                var o = new Options(kind, options, Set.of("n", "features", "classes", "batch", "seed"));
                yield Synthetic.classification(o.positive("n", null), o.positive("features", null), o.positive("classes", 2), o.integer("seed", 0));
            }
            case "polynomial_data" -> {
                var o = new Options(kind, options, Set.of("n", "degree", "features", "batch", "seed"));
                yield Synthetic.polynomial(o.positive("n", null), o.positive("degree", 3), o.positive("features", 20), o.integer("seed", 0));
            }
            case "high_dim_regression" -> {
                var o = new Options(kind, options, Set.of("n", "n_test", "features", "noise", "batch", "seed"));
                yield Synthetic.highDimRegression(o.positive("n", 20), o.positive("n_test", 100), o.positive("features", 200),
                        o.real("noise", 0.01), o.integer("seed", 0));
            }
            case "csv" -> {
                var o = new Options(kind, options, Set.of("path", "target", "features", "batch"));
                yield CsvData.open(Path.of(o.string("path", null)), o.string("target", null), o.positive("features", null));
            }
            case "text" -> new Split(text(new Options(kind, options, Set.of("path", "level", "seq_len", "batch", "min_freq", "vocab", "partition", "seed"))), null);
            case "translation" -> {
                var o = new Options(kind, options, Set.of("path", "seq_len", "batch", "vocab", "min_freq"));
                yield new Split(Translation.open(Path.of(o.string("path", null)), o.positive("seq_len", 10), o.positive("vocab", 1000),
                        (int) o.integer("min_freq", 0)), null);
            }
            default -> throw new DataError("unknown data set '" + kind + "'; std.data has fashion_mnist, synthetic_regression, synthetic_binary, "
                    + "synthetic_classification, polynomial_data, high_dim_regression, csv, text and translation");
        };
    }

    private static TextData text(Options o) throws DataError {
        String partition = o.string("partition", "random");
        var p = switch (partition) {
            case "random" -> TextData.Partition.RANDOM;
            case "sequential" -> TextData.Partition.SEQUENTIAL;
            default -> throw new DataError("text: partition must be \"random\" or \"sequential\", found \"" + partition + "\"");
        };
        return TextData.open(Path.of(o.string("path", null)), o.string("level", "char"), o.positive("seq_len", 35), o.positive("batch", 32),
                (int) o.integer("min_freq", 0), o.positive("vocab", 28), p, o.integer("seed", 0));
    }
}
