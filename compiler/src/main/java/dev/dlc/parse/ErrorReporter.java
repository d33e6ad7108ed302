package dev.dlc.parse;

import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Span;
import dev.dlc.grammar.DLLexer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Where syntax errors go. One bad token tends to confuse the parser for the rest of its
 * statement, and the follow-on errors only bury the real one, so a line that already
 * has an error gets no second one, nor does a token just after the last error (a stray
 * {@code else} leaves a {@code \}} behind that ends its block early), and a file gets at
 * most {@link #MAX_ERRORS}.
 */
final class ErrorReporter {
    static final int MAX_ERRORS = 20;
    /** Tokens after an error in which a further error counts as its consequence. */
    private static final int CASCADE_TOKENS = 3;

    private final Spans spans;
    private final Diagnostics diags;
    private final Set<Integer> linesWithErrors = new HashSet<>();
    private int count;
    private int lastErrorToken = Integer.MIN_VALUE / 2;

    ErrorReporter(Spans spans, Diagnostics diags) {
        this.spans = spans;
        this.diags = diags;
    }

    Spans spans() { return spans; }

    /** Reports a syntax error found at {@code token}, unless it looks like a consequence of the last one. */
    void report(Token token, Span span, String message) {
        int index = token.getTokenIndex();
        if (index >= 0 && index <= lastErrorToken + CASCADE_TOKENS) return;
        if (count >= MAX_ERRORS || !linesWithErrors.add(span.line())) return;
        if (index >= 0) lastErrorToken = index;
        count++;
        diags.error(span, message);
    }

    void report(Span span, String message) {
        if (count >= MAX_ERRORS || !linesWithErrors.add(span.line())) return;
        count++;
        diags.error(span, message);
    }

    /**
     * Reports the tokens the lexer could only call bad (a stray character, a string left
     * open) before parsing, so each is named for what it is even when the parser is
     * already recovering from an earlier error when it reaches it.
     */
    void reportBadTokens(List<Token> tokens) {
        for (Token t : tokens) {
            switch (t.getType()) {
                case DLLexer.UNKNOWN -> report(t, spans.of(t), "unexpected character " + SyntaxMessages.quoteChar(t.getText()));
                case DLLexer.UNTERMINATED_STRING -> report(t, spans.of(t), "unterminated string");
                default -> { }
            }
        }
    }

    /**
     * The lexer has a catch-all token, so it should never fail; should it anyway, the
     * error still becomes a diagnostic and not a line on stderr.
     */
    BaseErrorListener lexerListener() {
        return new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> recognizer, Object symbol, int line, int col,
                                    String msg, RecognitionException e) {
                int at = recognizer instanceof Lexer lexer ? lexer._tokenStartCharIndex : 0;
                report(spans.of(at, at + 1), "unexpected character");
            }
        };
    }
}
