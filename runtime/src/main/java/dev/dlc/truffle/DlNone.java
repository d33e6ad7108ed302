package dev.dlc.truffle;

import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/** The value of calls that return nothing ({@code print}), and of a {@code main} block. */
@ExportLibrary(InteropLibrary.class)
public final class DlNone implements TruffleObject {
    public static final DlNone INSTANCE = new DlNone();

    private DlNone() {}

    @ExportMessage boolean isNull() { return true; }

    @Override public String toString() { return "None"; }
}
