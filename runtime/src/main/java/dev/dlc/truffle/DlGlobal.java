package dev.dlc.truffle;

/**
 * A top-level name used as a value in host code: a layer, fn, loss or metric passed to a
 * builtin, e.g. {@code accuracy} in {@code evaluate(m, data, accuracy)}. The checker has
 * already resolved it; the builtin that receives it decides what it means.
 */
public record DlGlobal(String name) {
    @Override public String toString() { return name; }
}
