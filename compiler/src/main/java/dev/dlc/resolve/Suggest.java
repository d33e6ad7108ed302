package dev.dlc.resolve;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...?" for misspelled names. */
public final class Suggest {
    private Suggest() {}

    /**
     * The candidate nearest to {@code name} by edit distance, if it is near enough to be a
     * typo: at most a third of the name's length (and at least 1) edits. Case is ignored
     * when counting ({@code relu} finds {@code ReLU}) and only breaks ties, then the
     * alphabet does, so the answer is stable.
     */
    public static Optional<String> closest(String name, Collection<String> candidates) {
        int limit = Math.max(1, name.length() / 3);
        String lower = name.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .filter(c -> !c.equals(name) && Math.abs(c.length() - name.length()) <= limit)
                .map(c -> new Scored(c, distance(lower, c.toLowerCase(Locale.ROOT)), distance(name, c)))
                .filter(s -> s.distance <= limit)
                .min(Comparator.comparingInt(Scored::distance)
                        .thenComparingInt(Scored::exactDistance)
                        .thenComparing(Scored::candidate))
                .map(Scored::candidate);
    }

    /** {@code "did you mean 'X'?"}, for a message or a note, when there is a close candidate. */
    public static Optional<String> didYouMean(String name, Collection<String> candidates) {
        return closest(name, candidates).map(c -> "did you mean '" + c + "'?");
    }

    private record Scored(String candidate, int distance, int exactDistance) {}

    /**
     * Damerau-Levenshtein distance in its optimal-string-alignment form: insertions,
     * deletions, substitutions, and swaps of two adjacent characters ({@code lenght}) each
     * cost one edit.
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
