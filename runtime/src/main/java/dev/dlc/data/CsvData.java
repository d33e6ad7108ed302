package dev.dlc.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A CSV file as features and a target (d2l 5.7, Kaggle house prices): the target column is
 * y, f32; every other column becomes features. Numeric columns (every present value a
 * number) are standardized to mean 0 and standard deviation 1 (the sample deviation, as
 * pandas' std), and a missing value becomes 0, the mean. Other columns are categorical and
 * one-hot encoded, one column per distinct value in sorted order and one for a missing value
 * (pandas' get_dummies(dummy_na = True)), after all numeric columns, as pandas orders them.
 * Missing means an empty field or NA.
 */
final class CsvData {
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private CsvData() {}

    static Split open(Path path, String target, int features) throws DataError {
        CsvFile csv = CsvFile.read(path);
        int t = csv.header.indexOf(target);
        if (t < 0) throw new DataError("csv: " + path + " has no column '" + target + "'; its columns are " + String.join(", ", csv.header));
        int n = csv.rows.size();
        if (n == 0) throw new DataError("csv: " + path + " has a header but no rows");
        var numeric = new ArrayList<float[]>();
        var categorical = new ArrayList<float[]>();
        int categoricalColumns = 0;
        for (int c = 0; c < csv.header.size(); c++) {
            if (c == t) continue;
            List<String> values = column(csv, c);
            if (values.stream().allMatch(v -> isMissing(v) || NUMBER.matcher(v).matches())) numeric.add(standardize(values));
            else { categorical.addAll(oneHot(values)); categoricalColumns++; }
        }
        int f = numeric.size() + categorical.size();
        if (f != features)
            throw new DataError("csv: " + path + " gives " + f + " features (" + numeric.size() + " numeric columns, " + categorical.size()
                    + " one-hot columns from " + categoricalColumns + " categorical ones), but features = " + features + " was declared; declare features = " + f);
        numeric.addAll(categorical);
        var x = new float[n * f];
        for (int j = 0; j < f; j++) {
            float[] col = numeric.get(j);
            for (int i = 0; i < n; i++) x[i * f + j] = col[i];
        }
        return new Split(new Table(List.of(Column.floats(new int[] {f}, x), Column.floats(new int[0], targets(csv, t, path)))), null);
    }

    static boolean isMissing(String v) { return v.isEmpty() || v.equals("NA"); }

    private static List<String> column(CsvFile csv, int c) {
        return csv.rows.stream().map(r -> r.get(c)).toList();
    }

    /** (v - mean) / std over present values; missing and constant columns give 0. */
    static float[] standardize(List<String> values) {
        double sum = 0, sq = 0;
        int count = 0;
        for (String v : values) if (!isMissing(v)) { sum += Double.parseDouble(v); count++; }
        double mean = count == 0 ? 0 : sum / count;
        for (String v : values) if (!isMissing(v)) sq += Math.pow(Double.parseDouble(v) - mean, 2);
        double std = count < 2 ? 0 : Math.sqrt(sq / (count - 1));
        var out = new float[values.size()];
        for (int i = 0; i < out.length; i++)
            out[i] = isMissing(values.get(i)) || std == 0 ? 0 : (float) ((Double.parseDouble(values.get(i)) - mean) / std);
        return out;
    }

    /** One 0/1 column per distinct present value, sorted, then one for missing values. */
    static List<float[]> oneHot(List<String> values) {
        var levels = new ArrayList<>(new TreeSet<>(values.stream().filter(v -> !isMissing(v)).toList()));
        var out = new ArrayList<float[]>();
        for (int k = 0; k <= levels.size(); k++) out.add(new float[values.size()]);
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            out.get(isMissing(v) ? levels.size() : levels.indexOf(v))[i] = 1;
        }
        return out;
    }

    private static float[] targets(CsvFile csv, int t, Path path) throws DataError {
        var y = new float[csv.rows.size()];
        for (int i = 0; i < y.length; i++) {
            String v = csv.rows.get(i).get(t);
            if (!NUMBER.matcher(v).matches())
                throw new DataError(path + ":" + csv.lines.get(i) + ": target '" + csv.header.get(t) + "' must be a number, found '" + v + "'");
            y[i] = (float) Double.parseDouble(v);
        }
        return y;
    }
}
