package dev.dlc.parse;

import dev.dlc.diag.Source;
import dev.dlc.diag.Span;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Turns ANTLR positions into {@link Span}s. ANTLR counts code points while {@link Source}
 * counts UTF-16 chars, so a file with characters outside the BMP (an emoji in a comment)
 * needs a translation table; every other file uses the offsets as they are.
 */
final class Spans {
    private final Source source;
    private final int[] charOffset; // code point index -> char offset; null when they agree

    Spans(Source source) {
        this.source = source;
        String text = source.text();
        this.charOffset = text.codePoints().count() == text.length() ? null : codePointOffsets(text);
    }

    private static int[] codePointOffsets(String text) {
        int[] offsets = new int[text.codePointCount(0, text.length()) + 1];
        int cp = 0;
        for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) offsets[cp++] = i;
        offsets[cp] = text.length();
        return offsets;
    }

    Source source() { return source; }

    private int offset(int codePoint) {
        if (charOffset == null) return Math.clamp(codePoint, 0, source.text().length());
        return charOffset[Math.clamp(codePoint, 0, charOffset.length - 1)];
    }

    Span of(int startCodePoint, int endCodePoint) {
        return source.span(offset(startCodePoint), offset(endCodePoint));
    }

    Span of(Token t) { return of(t.getStartIndex(), t.getStopIndex() + 1); }

    Span of(TerminalNode n) { return of(n.getSymbol()); }

    /** From the first to the last token of a rule; an empty rule is an empty span at its start. */
    Span of(ParserRuleContext ctx) {
        int start = ctx.getStart().getStartIndex();
        Token stop = ctx.getStop();
        int end = stop == null || stop.getStopIndex() < start ? start : stop.getStopIndex() + 1;
        return of(start, end);
    }

    /**
     * Where to point for a token. End of file points just past the last real token, on
     * its line, rather than at a blank last line, so the caret lands where text is missing.
     */
    Span ofToken(Token t, TokenStream tokens) {
        if (t.getType() != Token.EOF) return of(t);
        int end = 0;
        int from = t.getTokenIndex() >= 0 ? t.getTokenIndex() - 1 : tokens.size() - 1;
        for (int i = from; i >= 0; i--) {
            Token prev = tokens.get(i);
            if (prev.getChannel() == Token.DEFAULT_CHANNEL && prev.getType() != Token.EOF) {
                end = prev.getStopIndex() + 1;
                break;
            }
        }
        return of(end, end);
    }
}
