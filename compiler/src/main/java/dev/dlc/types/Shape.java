package dev.dlc.types;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The dimensions of a tensor. {@code rest}, when not null, names an unknown run of
 * leading dimensions (the {@code ...} of a signature that has not met a concrete
 * input yet); {@code dims} are the trailing dimensions after it.
 */
public record Shape(String rest, List<Dim> dims) {
    public Shape { dims = List.copyOf(dims); }

    public static final Shape SCALAR = new Shape(null, List.of());

    public static Shape of(long... sizes) {
        var ds = new ArrayList<Dim>();
        for (long s : sizes) ds.add(Dim.of(s));
        return new Shape(null, ds);
    }

    public static Shape of(List<Dim> dims) { return new Shape(null, dims); }

    public boolean hasRest() { return rest != null; }
    /** The number of dimensions; with a rest, the number known after it. */
    public int rank() { return dims.size(); }
    public Dim dim(int i) { return dims.get(i); }

    public boolean isConcrete() { return rest == null && dims.stream().allMatch(Dim::isConst); }

    /** The number of elements, as a dimension expression. */
    public Dim numel() {
        Dim n = Dim.of(1);
        for (Dim d : dims) n = n.times(d);
        return n;
    }

    public Shape withDims(List<Dim> ds) { return new Shape(rest, ds); }

    /** Normalizes a possibly negative axis; -1 means the last one. Returns -1 if out of range. */
    public int axis(long axis) {
        long a = axis < 0 ? axis + dims.size() : axis;
        return a < 0 || a >= dims.size() ? -1 : (int) a;
    }

    @Override public String toString() {
        var parts = new ArrayList<String>();
        if (rest != null) parts.add("...");
        for (Dim d : dims) parts.add(d.toString());
        return "[" + parts.stream().collect(Collectors.joining(",")) + "]";
    }
}
