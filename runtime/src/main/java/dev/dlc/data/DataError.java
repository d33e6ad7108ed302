package dev.dlc.data;

/**
 * A data set that cannot be opened or read: a missing file, a corrupt one, options that do
 * not fit the data. The message is for the user as it stands; it names the file (and, where
 * one exists, the package that installs it) and says what was expected and what was found.
 */
public final class DataError extends Exception {
    public DataError(String message) { super(message); }

    public DataError(String message, Throwable cause) { super(message, cause); }
}
