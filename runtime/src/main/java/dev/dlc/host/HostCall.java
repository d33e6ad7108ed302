package dev.dlc.host;

import java.util.List;
import java.util.Map;

/**
 * A call of a top-level declaration that host code keeps as a value rather than runs: an
 * optimizer, a schedule or a loss with its configuration ({@code adam(lr = 0.001)},
 * {@code cross_entropy(label_smoothing = 0.1)}). It becomes DL source again where a builtin
 * needs it (in the train job {@code fit} makes).
 */
public record HostCall(String name, List<Object> args, Map<String, Object> kwargs) {
    public HostCall {
        args = List.copyOf(args);
        kwargs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kwargs));
    }

    @Override public String toString() { return DlText.call(name, args, kwargs); }
}
