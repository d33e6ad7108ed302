package dev.dlc.api;

/** A DL program that does not compile, a run that fails, a file that cannot be read: the message is the diagnostic. */
public final class DlException extends Exception {
    public DlException(String message) { super(message); }
}
