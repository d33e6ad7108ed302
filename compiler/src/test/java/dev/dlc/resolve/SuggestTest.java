package dev.dlc.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestTest {
    static final List<String> NAMES = List.of("Linear", "LayerNorm", "ReLU", "relu", "softmax", "log_softmax", "mse", "adam", "adamw");

    @Test void findsTyposWithinAThirdOfTheLength() {
        assertEquals(Optional.of("Linear"), Suggest.closest("Linaer", NAMES));   // a swap is one edit
        assertEquals(Optional.of("softmax"), Suggest.closest("sofmax", NAMES));
        assertEquals(Optional.of("log_softmax"), Suggest.closest("logsoftmax", NAMES));
        assertEquals(Optional.of("mse"), Suggest.closest("mae", NAMES));        // short names get one edit
        assertEquals(Optional.empty(), Suggest.closest("xyz", NAMES));
        assertEquals(Optional.empty(), Suggest.closest("Conv2d", NAMES));
    }

    @Test void caseIsCheapAndBreaksTies() {
        assertEquals(Optional.of("ReLU"), Suggest.closest("RELU", NAMES));
        assertEquals(Optional.of("relu"), Suggest.closest("Relu", List.of("relu", "ReLU")));
        assertEquals(Optional.of("LayerNorm"), Suggest.closest("layernorm", NAMES));
    }

    @Test void anExactMatchIsNoSuggestion() {
        assertEquals(Optional.of("adamw"), Suggest.closest("adam", List.of("adam", "adamw")));
        assertEquals(Optional.of("did you mean 'adam'?"), Suggest.didYouMean("adan", NAMES));
    }

    @Test void damerauLevenshtein() {
        assertEquals(0, Suggest.distance("abc", "abc"));
        assertEquals(1, Suggest.distance("abc", "acb"));
        assertEquals(1, Suggest.distance("abc", "abcd"));
        assertEquals(3, Suggest.distance("kitten", "sitting"));
        assertEquals(2, Suggest.distance("", "ab"));
    }
}
