package dev.dlc.parse;

import dev.dlc.grammar.DLLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.Vocabulary;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * The wording of syntax errors: what was found, and what was expected when that is
 * short enough to help. ANTLR's own messages ("mismatched input ... expecting {...}")
 * list every token of a set; here the tokens that start an expression or a declaration
 * are named as one thing, and a set still longer than three is left out.
 */
final class SyntaxMessages {
    private static final Vocabulary VOCAB = DLLexer.VOCABULARY;
    private static final Map<String, Integer> LITERALS = IntStream.rangeClosed(1, VOCAB.getMaxTokenType())
            .filter(t -> VOCAB.getLiteralName(t) != null)
            .boxed().collect(Collectors.toMap(VOCAB::getLiteralName, t -> t));

    private static final IntervalSet EXPRESSION_START = set(DLLexer.INT, DLLexer.FLOAT, DLLexer.STRING, DLLexer.ID,
            lit("in"), lit("true"), lit("false"), lit("("), lit("["), lit("seq"), lit("repeat"), lit("if"),
            lit("not"), lit("-"), lit("+"));
    private static final IntervalSet DECLARATION_START = set(lit("use"), lit("layer"), lit("fn"), lit("optimizer"),
            lit("schedule"), lit("train"), lit("main"));
    private static final IntervalSet DIMENSION_START = set(DLLexer.INT, DLLexer.ID, lit("in"), lit("("), lit("..."));
    private static final int MAX_LISTED = 3;

    private SyntaxMessages() {}

    /** The message for finding {@code found} where one of {@code expected} should be. */
    static String unexpected(Token found, IntervalSet expected) {
        List<String> wanted = describe(expected);
        boolean listed = !wanted.isEmpty() && wanted.size() <= MAX_LISTED;
        return switch (found.getType()) {
            case Token.EOF -> "unexpected end of file" + (listed ? ": expected " + oneOf(wanted) : "");
            case DLLexer.UNKNOWN -> "unexpected character " + quoteChar(found.getText());
            case DLLexer.UNTERMINATED_STRING -> "unterminated string";
            case DLLexer.BAD_NUMBER -> "malformed number '" + found.getText() + "'";
            default -> {
                if (found.getText().equals("else") && !expected.contains(found.getType())) {
                    yield "'else' without a matching 'if'";
                }
                yield listed ? "expected " + oneOf(wanted) + " but found " + describe(found)
                             : "unexpected " + describe(found);
            }
        };
    }

    /** What the expected set means to a reader, smallest description first. */
    static List<String> describe(IntervalSet expected) {
        var rest = new IntervalSet(expected);
        var names = new ArrayList<String>();
        if (rest.contains(DLLexer.INT) && rest.contains(DLLexer.FLOAT) && rest.contains(DLLexer.ID)) {
            names.add("an expression");
            rest = rest.subtract(EXPRESSION_START);
        }
        if (rest.contains(DLLexer.INT) && rest.contains(DLLexer.ID) && rest.contains(lit("..."))) {
            names.add("a dimension");
            rest = rest.subtract(DIMENSION_START);
        }
        if (rest.contains(lit("layer")) && rest.contains(lit("fn"))) {
            names.add("a declaration");
            rest = rest.subtract(DECLARATION_START);
        }
        if (rest.contains(DLLexer.ID)) rest.remove(lit("in")); // `in` is just another name here
        // `;` is allowed almost everywhere, and the end of the file is allowed after any
        // declaration: neither is what the writer forgot when there is something else.
        if (rest.size() > 1 || !names.isEmpty()) rest.remove(lit(";"));
        if (rest.size() > 1 || !names.isEmpty()) rest.remove(Token.EOF);
        for (int type : rest.toList()) names.add(tokenName(type));
        return names;
    }

    static String describe(Token found) {
        String text = found.getText();
        if (text.length() > 24) text = text.substring(0, 21) + "...";
        return found.getType() == DLLexer.STRING ? text : "'" + text + "'";
    }

    static String quoteChar(String text) {
        int c = text.codePointAt(0);
        boolean invisible = Character.isISOControl(c) || Character.isWhitespace(c) || Character.getType(c) == Character.FORMAT;
        return invisible ? String.format("U+%04X", c) : "'" + text + "'";
    }

    private static String tokenName(int type) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case DLLexer.ID -> "a name";
            case DLLexer.INT -> "an integer";
            case DLLexer.FLOAT -> "a number";
            case DLLexer.STRING -> "a string";
            default -> VOCAB.getLiteralName(type) != null ? VOCAB.getLiteralName(type) : VOCAB.getSymbolicName(type);
        };
    }

    private static String oneOf(List<String> names) {
        if (names.size() == 1) return names.getFirst();
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
    }

    private static int lit(String text) {
        Integer type = LITERALS.get("'" + text + "'");
        if (type == null) throw new IllegalStateException("no token '" + text + "' in the grammar");
        return type;
    }

    private static IntervalSet set(int... types) { return new IntervalSet(types); }
}
