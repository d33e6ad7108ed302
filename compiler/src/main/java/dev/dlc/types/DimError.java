package dev.dlc.types;

/** A dimension computation that has no answer, e.g. an inexact division; the checker turns it into a diagnostic. */
public final class DimError extends RuntimeException {
    public DimError(String message) { super(message, null, false, false); }
}
