package dev.dlc.parse;

import dev.dlc.diag.Diagnostics;
import dev.dlc.diag.Span;

/** The values of literal tokens; a literal the lexer accepted but that has no value is a diagnostic. */
final class Literals {
    private Literals() {}

    /** {@code 1_000} is 1000; a literal beyond {@code long} is an error and reads as 0. */
    static long integer(String text, Span span, Diagnostics diags) {
        try {
            return Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            diags.error(span, "integer literal " + text + " is too large (the largest is " + Long.MAX_VALUE + ")");
            return 0;
        }
    }

    static double floating(String text, Span span, Diagnostics diags) {
        double value = Double.parseDouble(text.replace("_", ""));
        if (Double.isInfinite(value)) diags.error(span, "float literal " + text + " is too large");
        return value;
    }

    /**
     * The text between the quotes of a string token, with its escapes ({@code \n \t \" \\})
     * replaced. An unknown escape is reported at the backslash and kept as written.
     */
    static String string(String token, Span span, Diagnostics diags) {
        var out = new StringBuilder();
        String body = token.substring(1, token.length() - 1);
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                out.append(c);
                continue;
            }
            char next = body.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                default -> {
                    int at = span.start() + 1 + i - 1;
                    diags.error(span.source().span(at, at + 2),
                            "unknown escape '\\" + next + "' in string (known: \\n \\t \\\" \\\\)");
                    out.append('\\').append(next);
                }
            }
        }
        return out.toString();
    }
}
