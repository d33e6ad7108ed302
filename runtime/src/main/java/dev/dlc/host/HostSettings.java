package dev.dlc.host;

import java.nio.file.Path;
import java.util.List;

/**
 * How host code trains: `dlc run`'s flags, as the language options of a context carry them.
 *
 * @param overrides    {@code KEY=VALUE} settings for every train block ({@code --set})
 * @param limitBatches at most this many batches per epoch and evaluation; 0: all
 * @param metricsOut   the JSON-lines file each epoch is appended to, or null
 * @param plot         the PNG the learning curves of a train block go to, or null
 * @param progress     a live progress bar (the output is a terminal) instead of plain lines
 * @param backend      where the programs run ({@code --backend})
 */
public record HostSettings(List<String> overrides, long limitBatches, Path metricsOut, Path plot, boolean progress, dev.dlc.exec.Backend backend) {
    public HostSettings { overrides = List.copyOf(overrides); }

    public static HostSettings defaults() { return new HostSettings(List.of(), 0, null, null, false, dev.dlc.exec.Backend.standard()); }
}
