package dev.dlc.diag;

import java.util.ArrayList;
import java.util.List;

/** A source text with its display path; maps offsets to 1-based lines and columns. */
public final class Source {
    private final String path;
    private final String text;
    private final int[] lineStarts;

    public Source(String path, String text) {
        this.path = path;
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') starts.add(i + 1);
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    public String path() { return path; }
    public String text() { return text; }
    public int lineCount() { return lineStarts.length; }

    /** 1-based line of an offset; offsets past the end belong to the last line. */
    public int line(int offset) {
        int o = Math.clamp(offset, 0, text.length());
        int lo = 0, hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= o) lo = mid; else hi = mid - 1;
        }
        return lo + 1;
    }

    /** 1-based column of an offset, counted in code points (an emoji is one column, as editors show it). */
    public int column(int offset) {
        int o = Math.clamp(offset, 0, text.length());
        int start = lineStarts[line(o) - 1];
        return text.codePointCount(start, Math.max(start, o)) + 1;
    }

    /** The text of a 1-based line, without its line terminator. */
    public String lineText(int line) {
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
        if (end > start && text.charAt(end - 1) == '\r') end--;
        return text.substring(start, Math.max(start, end));
    }

    public Span span(int start, int end) { return new Span(this, start, end); }

    @Override public String toString() { return path; }
}
