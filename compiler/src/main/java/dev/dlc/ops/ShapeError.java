package dev.dlc.ops;

/** A call whose arguments do not fit its primitive; the message is for the user ({@code op: expected ..., found ...}). */
public final class ShapeError extends Exception {
    public ShapeError(String message) { super(message, null, false, false); }
}
