package dev.dlc.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Writes a small house-prices table in the style of Kaggle's (d2l 5.7), generated from a
 * seed so that the repository needs no outside data: examples/data/houses.csv is this
 * class's output for {@link #SEED} and {@link #ROWS} ({@code HousesCsvTest} checks it still
 * is). Mixed columns: five numeric (two with missing values), three categorical (one with
 * missing values), and the target SalePrice, a noisy function of most of them.
 */
public final class HousesCsv {
    public static final long SEED = 7;
    public static final int ROWS = 300;
    private static final String[] NEIGHBORHOODS = {"Brookside", "Edwards", "Mitchel", "NoRidge", "OldTown"};
    private static final double[] NEIGHBORHOOD_PREMIUM = {15_000, -10_000, 0, 60_000, -25_000};
    private static final String[] STYLES = {"1Story", "2Story", "SLvl"};

    private HousesCsv() {}

    /** {@code java dev.dlc.data.HousesCsv FILE} writes the table to FILE. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: HousesCsv FILE");
        Files.writeString(Path.of(args[0]), generate(SEED, ROWS), StandardCharsets.UTF_8);
    }

    /** The table as CSV text, header first, lines ending in \n. */
    public static String generate(long seed, int rows) {
        var rng = new Random(seed);
        var out = new StringBuilder("LotArea,YearBuilt,OverallQual,Bedrooms,GarageCars,Neighborhood,HouseStyle,CentralAir,SalePrice\n");
        for (int i = 0; i < rows; i++) {
            int area = 4000 + (int) Math.round(Math.abs(rng.nextGaussian()) * 6000);
            int year = 1900 + rng.nextInt(110);
            int quality = 1 + Math.min(9, Math.max(0, (int) Math.round(5 + 2 * rng.nextGaussian())));
            int bedrooms = 1 + rng.nextInt(5);
            int garage = rng.nextInt(4);
            int hood = rng.nextInt(NEIGHBORHOODS.length);
            String style = STYLES[rng.nextInt(STYLES.length)];
            boolean air = year > 1950 || rng.nextDouble() < 0.5;
            double price = 20_000 + 6 * area + 600 * (year - 1900) + 18_000 * quality + 5_000 * bedrooms + 9_000 * garage
                    + NEIGHBORHOOD_PREMIUM[hood] + (air ? 12_000 : 0) + 15_000 * rng.nextGaussian();
            // Knock out some values after the price is fixed, as a real table has gaps.
            String areaText = rng.nextDouble() < 0.05 ? "NA" : Integer.toString(area);
            String garageText = rng.nextDouble() < 0.05 ? "" : Integer.toString(garage);
            String hoodText = rng.nextDouble() < 0.04 ? "NA" : NEIGHBORHOODS[hood];
            out.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%s,%s,%s,%d\n", areaText, year, quality, bedrooms, garageText,
                    hoodText, style, air ? "Y" : "N", Math.round(Math.max(price, 10_000))));
        }
        return out.toString();
    }
}
