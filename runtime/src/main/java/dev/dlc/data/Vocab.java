package dev.dlc.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Token ids (d2l's Vocab): reserved tokens first ({@code <unk>} = 0, then for instance
 * {@code <pad>}, {@code <bos>}, {@code <eos>}), then the tokens seen, most frequent first
 * (ties in string order, so the ids do not depend on hashing). Tokens seen fewer than
 * min_freq times are left out, and so are the rarest ones beyond {@code max} ids in all:
 * the model declares its vocabulary size, and every id must stay below it. A token left out
 * reads as {@code <unk>}.
 */
public final class Vocab {
    public static final String UNK = "<unk>", PAD = "<pad>", BOS = "<bos>", EOS = "<eos>";

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();

    private Vocab(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        for (int i = 0; i < tokens.size(); i++) ids.put(tokens.get(i), i);
    }

    /** The vocabulary of {@code seen}; {@code reserved} follow {@code <unk>}. */
    public static Vocab build(Collection<String> seen, List<String> reserved, int minFreq, int max) {
        var counts = new HashMap<String, Integer>();
        for (String t : seen) counts.merge(t, 1, Integer::sum);
        var tokens = new ArrayList<String>();
        tokens.add(UNK);
        tokens.addAll(reserved);
        counts.entrySet().stream()
                .filter(e -> e.getValue() >= minFreq && !tokens.contains(e.getKey()))
                .sorted(Comparator.comparing((Map.Entry<String, Integer> e) -> -e.getValue()).thenComparing(Map.Entry::getKey))
                .limit(Math.max(0, max - tokens.size()))
                .forEach(e -> tokens.add(e.getKey()));
        return new Vocab(tokens);
    }

    public int size() { return tokens.size(); }

    /** The id of {@code token}; 0 ({@code <unk>}) for a token not in the vocabulary. */
    public int id(String token) { return ids.getOrDefault(token, 0); }

    public String token(int id) { return tokens.get(id); }

    /** Every token, by id. */
    public List<String> tokens() { return tokens; }
}
