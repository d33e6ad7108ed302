package dev.dlc.api;

import dev.dlc.Compiler;
import dev.dlc.train.Checkpoint;
import dev.dlc.train.CheckpointError;
import dev.dlc.train.TrainLoop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A compiled DL program: its train jobs and layers. */
public final class Program {
    private final Path file;
    final Compiler.Compilation c;

    Program(Path file, Compiler.Compilation c) {
        this.file = file;
        this.c = c;
    }

    /** The train jobs, in the file's order. */
    public List<String> jobs() { return List.copyOf(c.checker().jobs().keySet()); }

    /** What a training run gives: one entry per epoch, and the trained model. */
    public record Training(List<TrainLoop.Epoch> epochs, Model model) {}

    /** Runs train job {@code job} as `dlc run` does; progress lines are discarded. */
    public Training train(String job) throws DlException { return train(job, Map.of(), null); }

    /**
     * Runs train job {@code job} with {@code --set}-style overrides ({@code "epochs" -> "2"},
     * {@code "optimizer.lr" -> "0.05"}), printing progress to {@code progress} (null: none).
     */
    public Training train(String job, Map<String, String> settings, PrintWriter progress) throws DlException {
        if (!c.checker().jobs().containsKey(job)) throw new DlException("no train job named '" + job + "'; the program has " + jobs());
        for (var e : settings.entrySet()) {
            String problem = c.checker().override(job, e.getKey(), e.getValue());
            if (problem != null) throw new DlException(e.getKey() + "=" + e.getValue() + ": " + problem);
        }
        var out = progress != null ? progress : new PrintWriter(new StringWriter());
        var loop = new TrainLoop(c, job, new TrainLoop.Options(out, null, null, 0, false, dev.dlc.exec.Backend.standard()));
        try {
            var epochs = loop.run();
            return new Training(epochs, Model.ofJob(this, job, loop.trainer().slots()));
        } catch (TrainLoop.Failure e) {
            throw new DlException(e.getMessage());
        }
    }

    /**
     * Layer {@code name} of the program built with {@code config} (keyword arguments: Integer,
     * Long, Double, Boolean, String), with fresh weights from its initializers and {@code seed}.
     */
    public Model model(String name, Map<String, Object> config, long seed) throws DlException {
        return Model.ofLayer(this, name, config, seed);
    }

    /** The model of train job {@code job} with the weights saved in checkpoint {@code dir}. */
    public Model load(String job, Path dir) throws DlException {
        if (!c.checker().jobs().containsKey(job)) throw new DlException("no train job named '" + job + "'; the program has " + jobs());
        try {
            return Model.ofJob(this, job, Checkpoint.load(dir).slots());
        } catch (CheckpointError e) {
            throw new DlException(e.getMessage());
        }
    }

    String source() { return c.program().root().source().text(); }
    Path file() { return file; }
}
