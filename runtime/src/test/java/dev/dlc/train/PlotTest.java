package dev.dlc.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class PlotTest {
    @TempDir Path tmp;

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** Ten epochs of a run that learns: the loss falls, the accuracies rise. */
    private static List<Plot.EpochPoint> run(boolean withTest) {
        return IntStream.rangeClosed(1, 10).mapToObj(e -> new Plot.EpochPoint(e, 2.3 / e, Map.of("accuracy", 1 - 0.5 / e),
                withTest ? 2.4 / e : null, withTest ? Map.of("accuracy", 1 - 0.6 / e) : Map.of())).toList();
    }

    record Case(String name, List<Plot.EpochPoint> points, int width, int height) {}

    @TestFactory Stream<DynamicTest> writesANonBlankPngOfTheSizeAsked() {
        return Stream.of(
                new Case("train and test", run(true), Plot.WIDTH, Plot.HEIGHT),
                new Case("train only", run(false), 640, 480),
                new Case("one epoch", run(true).subList(0, 1), 300, 200),
                new Case("loss only", List.of(new Plot.EpochPoint(1, 0.7, Map.of(), null, null), new Plot.EpochPoint(2, 0.5, Map.of(), null, null)), 400, 300),
                new Case("diverged", List.of(new Plot.EpochPoint(1, 0.7, Map.of(), 0.8, Map.of()), new Plot.EpochPoint(2, Double.NaN, Map.of(), Double.POSITIVE_INFINITY, Map.of())), 400, 300),
                new Case("two metrics", IntStream.rangeClosed(1, 4).mapToObj(e -> new Plot.EpochPoint(e, 1.0 / e, Map.of("accuracy", 0.2 * e, "f1", 0.1 * e), 1.1 / e, Map.of("accuracy", 0.18 * e, "f1", 0.09 * e))).toList(), 800, 500),
                new Case("no epochs", List.of(), 200, 100)
        ).map(c -> dynamicTest(c.name(), () -> {
            Path png = tmp.resolve(c.name().replace(' ', '-') + ".png");
            if (c.width() == Plot.WIDTH && c.height() == Plot.HEIGHT) Plot.learningCurves(png, "mlp", c.points());
            else Plot.learningCurves(png, "mlp", c.points(), c.width(), c.height());
            assertArrayEquals(PNG_MAGIC, Arrays.copyOf(Files.readAllBytes(png), 8), "PNG signature");
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(c.width(), img.getWidth());
            assertEquals(c.height(), img.getHeight());
            assertTrue(inked(img) > img.getWidth() * img.getHeight() / 100, "at least 1% of the pixels differ from the background");
        }));
    }

    /** The curves themselves are drawn: the loss colour appears only when there is a loss series. */
    @Test void theCurvesAreDrawnInTheirColours() throws IOException {
        Path png = tmp.resolve("curves.png");
        Plot.learningCurves(png, "mlp", run(true));
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(count(img, 0xC0392B) > 100, "the loss curves");
        assertTrue(count(img, 0x2471A3) > 100, "the accuracy curves");
    }

    @Test void anUnwritablePathIsAClearError() throws IOException {
        Path file = Files.writeString(tmp.resolve("runs"), "a file, not a directory");
        var e = assertThrows(IOException.class, () -> Plot.learningCurves(file.resolve("curves.png"), "mlp", run(true)));
        assertEquals("cannot write learning curves to " + file.resolve("curves.png") + ": " + file + ": file already exists", e.getMessage());
    }

    @Test void epochsOfTheTrainLoopArePoints() {
        var e = new TrainLoop.Epoch(3, 0.5, Map.of("accuracy", 0.8), null, Map.of(), 1000, 2);
        assertEquals(new Plot.EpochPoint(3, 0.5, Map.of("accuracy", 0.8), null, Map.of()), Plot.EpochPoint.of(e));
    }

    private static long inked(BufferedImage img) {
        int background = img.getRGB(0, 0);
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) if (img.getRGB(x, y) != background) n++;
        return n;
    }

    private static long count(BufferedImage img, int rgb) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) n++;
        return n;
    }
}
