package dev.dlc.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON that checkpoint headers need, without a dependency. Values are
 * {@code Map<String, Object>} (keys in file order), {@code List<Object>}, {@code String},
 * {@code Long} (numbers without fraction or exponent: offsets must stay exact),
 * {@code Double}, {@code Boolean} and {@code null}. The parser is strict (one value, no
 * trailing text but spaces, no duplicate keys) because it reads files that may be corrupt.
 */
final class Json {
    private Json() {}

    /** Input that is not JSON; the message says what was expected and at which character. */
    static final class SyntaxError extends Exception {
        SyntaxError(String message) { super(message); }
    }

    // ---------------------------------------------------------------- writing

    /** {@code value} as compact JSON: maps, lists, strings, numbers, booleans and null. */
    static String write(Object value) {
        var sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object value) {
        switch (value) {
            case null -> sb.append("null");
            case String s -> quote(sb, s);
            case Boolean b -> sb.append(b);
            case Long _, Integer _ -> sb.append(value);
            case Double d when Double.isFinite(d) -> sb.append(d);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    quote(sb, (String) e.getKey());
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(',');
                    write(sb, l.get(i));
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("no JSON form for " + value.getClass().getSimpleName() + " " + value);
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    // ---------------------------------------------------------------- parsing

    /** Nesting deeper than this is refused rather than overflowing the stack on a corrupt file. */
    private static final int MAX_DEPTH = 64;

    /** The one JSON value that {@code text} holds (spaces around it allowed). */
    static Object parse(String text) throws SyntaxError {
        var p = new Parser(text);
        p.spaces();
        Object v = p.value(0);
        p.spaces();
        if (p.pos < text.length()) throw p.error("end of input");
        return v;
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) { this.s = s; }

        SyntaxError error(String expected) {
            String found = pos >= s.length() ? "the end" : "'" + s.charAt(pos) + "'";
            return new SyntaxError("expected " + expected + " at character " + pos + ", found " + found);
        }

        void spaces() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) pos++;
        }

        boolean eat(char c) {
            if (pos < s.length() && s.charAt(pos) == c) { pos++; return true; }
            return false;
        }

        Object value(int depth) throws SyntaxError {
            if (depth > MAX_DEPTH) throw new SyntaxError("nesting deeper than " + MAX_DEPTH + " at character " + pos);
            if (pos >= s.length()) throw error("a value");
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> word("true", Boolean.TRUE);
                case 'f' -> word("false", Boolean.FALSE);
                case 'n' -> word("null", null);
                default -> {
                    if (c == '-' || c >= '0' && c <= '9') yield number();
                    throw error("a value");
                }
            };
        }

        Map<String, Object> object(int depth) throws SyntaxError {
            pos++;
            var out = new LinkedHashMap<String, Object>();
            spaces();
            if (eat('}')) return out;
            do {
                spaces();
                if (pos >= s.length() || s.charAt(pos) != '"') throw error("a key");
                int at = pos;
                String key = string();
                spaces();
                if (!eat(':')) throw error("':'");
                spaces();
                if (out.containsKey(key)) throw new SyntaxError("duplicate key \"" + key + "\" at character " + at);
                out.put(key, value(depth + 1));
                spaces();
            } while (eat(','));
            if (!eat('}')) throw error("',' or '}'");
            return out;
        }

        List<Object> array(int depth) throws SyntaxError {
            pos++;
            var out = new ArrayList<Object>();
            spaces();
            if (eat(']')) return out;
            do {
                spaces();
                out.add(value(depth + 1));
                spaces();
            } while (eat(','));
            if (!eat(']')) throw error("',' or ']'");
            return out;
        }

        String string() throws SyntaxError {
            pos++;
            var sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw error("'\"'");
                char c = s.charAt(pos++);
                if (c == '"') return sb.toString();
                if (c < 0x20) { pos--; throw error("an escaped control character"); }
                if (c != '\\') { sb.append(c); continue; }
                if (pos >= s.length()) throw error("an escape");
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> sb.append(hex4());
                    default -> { pos--; throw error("an escape"); }
                }
            }
        }

        char hex4() throws SyntaxError {
            if (pos + 4 > s.length()) throw error("four hex digits");
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(s.charAt(pos), 16);
                if (d < 0) throw error("a hex digit");
                v = v * 16 + d;
                pos++;
            }
            return (char) v;
        }

        Object word(String w, Object v) throws SyntaxError {
            if (!s.startsWith(w, pos)) throw error("a value");
            pos += w.length();
            return v;
        }

        Object number() throws SyntaxError {
            int start = pos;
            eat('-');
            if (!digits()) throw error("a digit");
            boolean integral = true;
            if (eat('.')) { integral = false; if (!digits()) throw error("a digit"); }
            if (eat('e') || eat('E')) {
                integral = false;
                if (!eat('+')) eat('-');
                if (!digits()) throw error("a digit");
            }
            String t = s.substring(start, pos);
            try {
                return integral ? (Object) Long.parseLong(t) : (Object) Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new SyntaxError("number " + t + " out of range at character " + start);
            }
        }

        boolean digits() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
            return pos > start;
        }
    }
}
