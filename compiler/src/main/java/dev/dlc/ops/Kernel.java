package dev.dlc.ops;

import java.util.List;

/**
 * A reference (CPU) or backend (GPU) kernel of a primitive. Placeholder types: the IR and
 * runtime issues narrow {@code Object} to their tensor types and fill the table's columns.
 */
@FunctionalInterface
public interface Kernel {
    void run(List<Object> inputs, Object output, Bound attrs);
}
