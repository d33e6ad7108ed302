package dev.dlc.train;

/**
 * A checkpoint that cannot be saved, read or resumed from: a missing or corrupt file, or one
 * saved by a different model. The message is for the user as it stands: it names the
 * checkpoint file (or directory) and says what was expected and what was found.
 */
public final class CheckpointError extends Exception {
    public CheckpointError(String message) { super(message); }

    public CheckpointError(String message, Throwable cause) { super(message, cause); }
}
