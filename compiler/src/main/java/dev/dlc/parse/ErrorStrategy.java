package dev.dlc.parse;

import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.FailedPredicateException;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * ANTLR's recovery (single-token insertion and deletion, then resynchronising on the
 * follow set) with our wording: every report goes through {@link SyntaxMessages} to the
 * {@link ErrorReporter}, never to a console listener.
 */
final class ErrorStrategy extends DefaultErrorStrategy {
    private final ErrorReporter reporter;

    ErrorStrategy(ErrorReporter reporter) { this.reporter = reporter; }

    @Override
    protected void reportNoViableAlternative(Parser parser, NoViableAltException e) {
        // The expected set belongs to where prediction started; when the parser looked
        // further ahead before giving up, it says nothing about the token it stopped at.
        boolean atStart = e.getStartToken() == e.getOffendingToken();
        report(parser, e.getOffendingToken(), atStart ? e.getExpectedTokens() : new IntervalSet());
    }

    @Override
    protected void reportInputMismatch(Parser parser, InputMismatchException e) {
        report(parser, e.getOffendingToken(), e.getExpectedTokens());
    }

    @Override
    protected void reportFailedPredicate(Parser parser, FailedPredicateException e) {
        report(parser, e.getOffendingToken(), new IntervalSet());
    }

    @Override
    protected void reportUnwantedToken(Parser parser) {
        if (inErrorRecoveryMode(parser)) return;
        beginErrorCondition(parser);
        report(parser, parser.getCurrentToken(), getExpectedTokens(parser));
    }

    @Override
    protected void reportMissingToken(Parser parser) {
        if (inErrorRecoveryMode(parser)) return;
        beginErrorCondition(parser);
        report(parser, parser.getCurrentToken(), getExpectedTokens(parser));
    }

    private void report(Parser parser, Token found, IntervalSet expected) {
        reporter.report(found, reporter.spans().ofToken(found, parser.getInputStream()),
                SyntaxMessages.unexpected(found, expected == null ? new IntervalSet() : expected));
    }
}
