package dev.dlc.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class JsonTest {
    @Test void writesAndReadsBack() throws Json.SyntaxError {
        var m = new LinkedHashMap<String, Object>();
        m.put("z", "quote \" backslash \\ newline \n tab \t bell \u0007 ünï");
        m.put("a", List.of(0L, -1L, Long.MAX_VALUE, 0.5, true, false));
        m.put("n", null);
        m.put("o", Map.of());
        String text = Json.write(m);
        assertEquals(m, Json.parse(text));
        assertEquals(List.of("z", "a", "n", "o"), List.copyOf(((Map<?, ?>) Json.parse(text)).keySet()), "keys stay in file order");
        assertEquals(Map.of("k", List.of(1L)), Json.parse(" { \"k\" :\t[ 1 ] }\n "));
        assertEquals("é/", Json.parse("\"\\u00e9\\/\""));
    }

    record Bad(String text, String error) {}

    @TestFactory Stream<DynamicTest> refusesWhatIsNotJson() {
        return Stream.of(
                new Bad("", "expected a value at character 0, found the end"),
                new Bad("{", "expected a key at character 1, found the end"),
                new Bad("{\"a\" 1}", "expected ':' at character 5, found '1'"),
                new Bad("{\"a\":}", "expected a value at character 5, found '}'"),
                new Bad("[1,]", "expected a value at character 3, found ']'"),
                new Bad("[1 2]", "expected ',' or ']' at character 3, found '2'"),
                new Bad("\"abc", "expected '\"' at character 4, found the end"),
                new Bad("\"a\nb\"", "expected an escaped control character at character 2, found '\n'"),
                new Bad("\"\\x\"", "expected an escape at character 2, found 'x'"),
                new Bad("\"\\u12zz\"", "expected a hex digit at character 5, found 'z'"),
                new Bad("\"\\u12\"", "expected four hex digits at character 3, found '1'"),
                new Bad("-", "expected a digit at character 1, found the end"),
                new Bad("1.", "expected a digit at character 2, found the end"),
                new Bad("99999999999999999999", "number 99999999999999999999 out of range at character 0"),
                new Bad("tru", "expected a value at character 0, found 't'"),
                new Bad("{} x", "expected end of input at character 3, found 'x'"),
                new Bad("{\"a\":1,\"a\":2}", "duplicate key \"a\" at character 7"),
                new Bad("[".repeat(70), "nesting deeper than 64 at character 65")
        ).map(b -> dynamicTest(b.error(),
                () -> assertEquals(b.error(), assertThrows(Json.SyntaxError.class, () -> Json.parse(b.text())).getMessage())));
    }
}
