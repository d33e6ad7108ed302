package dev.dlc.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Learning curves as a PNG: x is the epoch; the losses (train solid, test dashed) on the
 * left axis, the metrics (accuracy and the like, same dashes) on a right axis of their own,
 * since a loss of 2.3 and an accuracy of 0.9 share no useful scale. Drawn without a display.
 */
public final class Plot {
    private Plot() {}

    static {
        // AWT reads this once, when it first starts; a server or CI machine has no display.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    public static final int WIDTH = 800, HEIGHT = 500;

    /** One epoch's numbers; {@code testLoss} is null and {@code testMetrics} empty when there is no test split. */
    public record EpochPoint(int epoch, double trainLoss, Map<String, Double> trainMetrics, Double testLoss, Map<String, Double> testMetrics) {
        public EpochPoint {
            trainMetrics = Map.copyOf(trainMetrics);
            testMetrics = testMetrics == null ? Map.of() : Map.copyOf(testMetrics);
        }

        /** The point of an epoch of {@link TrainLoop}. */
        public static EpochPoint of(TrainLoop.Epoch e) {
            return new EpochPoint(e.epoch(), e.trainLoss(), e.trainMetrics(), e.testLoss(), e.testMetrics());
        }
    }

    /** Writes the curves as a {@value #WIDTH} by {@value #HEIGHT} PNG. */
    public static void learningCurves(Path png, String title, List<EpochPoint> points) throws IOException {
        learningCurves(png, title, points, WIDTH, HEIGHT);
    }

    /**
     * Writes the curves as a PNG of the given size, creating its directory if needed. Values
     * that are not finite (a diverged loss) are left out, so they cannot flatten the axes.
     *
     * @throws IOException with a message naming the file when it cannot be written
     */
    public static void learningCurves(Path png, String title, List<EpochPoint> points, int width, int height) throws IOException {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("a plot of " + width + "x" + height + " pixels");
        JFreeChart chart = chart(title, points);
        try {
            if (png.getParent() != null) Files.createDirectories(png.getParent());
            try (var out = Files.newOutputStream(png)) {
                ChartUtils.writeChartAsPNG(out, chart, width, height);
            }
        } catch (IOException e) {
            throw new IOException("cannot write learning curves to " + png + ": " + reason(png, e), e);
        }
    }

    /** The chart, for tests and for callers that want another format. */
    static JFreeChart chart(String title, List<EpochPoint> points) {
        var plot = new XYPlot();
        var epochs = new NumberAxis("epoch");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());   // epochs are whole numbers
        epochs.setAutoRangeIncludesZero(false);
        plot.setDomainAxis(epochs);

        plot.setRangeAxis(0, new NumberAxis("loss"));
        plot.setDataset(0, losses(points));
        plot.setRenderer(0, renderer(plot.getDataset(0), LOSS_COLOR));

        XYSeriesCollection metrics = metrics(points);
        if (metrics.getSeriesCount() > 0) {
            var axis = new NumberAxis(metricNames(points).size() == 1 ? metricNames(points).getFirst() : "metric");
            axis.setAutoRangeIncludesZero(false);
            plot.setRangeAxis(1, axis);
            plot.setRangeAxisLocation(1, AxisLocation.BOTTOM_OR_RIGHT);
            plot.setDataset(1, metrics);
            plot.mapDatasetToRangeAxis(1, 1);
            plot.setRenderer(1, renderer(metrics, null));
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        var chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static final Color LOSS_COLOR = new Color(0xC0392B);
    /** Metric colours, one per metric name; train and test of one metric share a colour. */
    private static final List<Color> METRIC_COLORS = List.of(new Color(0x2471A3), new Color(0x229954), new Color(0x7D3C98), new Color(0xD68910));

    private static XYSeriesCollection losses(List<EpochPoint> points) {
        var train = new XYSeries("train loss");
        var test = new XYSeries("test loss");
        for (var p : points) {
            add(train, p.epoch(), p.trainLoss());
            if (p.testLoss() != null) add(test, p.epoch(), p.testLoss());
        }
        var c = new XYSeriesCollection(train);
        if (test.getItemCount() > 0) c.addSeries(test);
        return c;
    }

    private static List<String> metricNames(List<EpochPoint> points) {
        Set<String> names = new TreeSet<>();
        for (var p : points) { names.addAll(p.trainMetrics().keySet()); names.addAll(p.testMetrics().keySet()); }
        return List.copyOf(names);
    }

    /** For each metric name (sorted), its train series then its test series, where it has points. */
    private static XYSeriesCollection metrics(List<EpochPoint> points) {
        var c = new XYSeriesCollection();
        for (String name : metricNames(points)) {
            var series = new LinkedHashMap<String, XYSeries>();
            series.put("train", new XYSeries("train " + name));
            series.put("test", new XYSeries("test " + name));
            for (var p : points) {
                Double tr = p.trainMetrics().get(name), te = p.testMetrics().get(name);
                if (tr != null) add(series.get("train"), p.epoch(), tr);
                if (te != null) add(series.get("test"), p.epoch(), te);
            }
            for (var s : series.values()) if (s.getItemCount() > 0) c.addSeries(s);
        }
        return c;
    }

    private static void add(XYSeries s, int epoch, double v) {
        if (Double.isFinite(v)) s.add(epoch, v);
    }

    /**
     * Lines with a dot per epoch (one epoch is still visible); test series dashed. {@code color}
     * null picks one colour per metric name, shared by its train and test series.
     */
    private static XYLineAndShapeRenderer renderer(org.jfree.data.xy.XYDataset data, Color color) {
        var r = new XYLineAndShapeRenderer(true, true);
        var colors = new LinkedHashMap<String, Color>();
        for (int i = 0; i < data.getSeriesCount(); i++) {
            String key = data.getSeriesKey(i).toString();                 // "train accuracy", "test loss"
            String metric = key.substring(key.indexOf(' ') + 1);
            Color next = METRIC_COLORS.get(colors.size() % METRIC_COLORS.size());
            r.setSeriesPaint(i, color != null ? color : colors.computeIfAbsent(metric, _ -> next));
            r.setSeriesStroke(i, key.startsWith("test ") ? DASHED : SOLID);
        }
        return r;
    }

    private static final BasicStroke SOLID = new BasicStroke(2f);
    private static final BasicStroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

    /** "Not a directory", or "runs: file already exists" when the trouble is another path. */
    private static String reason(Path png, IOException e) {
        if (!(e instanceof FileSystemException f)) return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        String what = f.getReason() != null ? f.getReason()
                : e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        return f.getFile() != null && !f.getFile().equals(png.toString()) ? f.getFile() + ": " + what : what;
    }
}
