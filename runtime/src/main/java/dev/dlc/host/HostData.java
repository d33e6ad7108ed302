package dev.dlc.host;

import dev.dlc.check.Val;
import dev.dlc.data.Split;

/**
 * A data set in host code: the DL expression that opens it ({@code fashion_mnist(batch = 64)}),
 * as the checker typed it, and its examples once opened. A fold of {@code kfold} is the same
 * data set with another split: training on k - 1 blocks, validating on the last.
 */
public final class HostData {
    private final String expr, label;
    private final Val.Data checked;
    Split split;

    HostData(String expr, Val.Data checked, Split split, String label) {
        this.expr = expr;
        this.checked = checked;
        this.split = split;
        this.label = label;
    }

    String expr() { return expr; }
    Val.Data checked() { return checked; }

    @Override public String toString() { return label != null ? label : expr; }
}
