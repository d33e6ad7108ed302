package dev.dlc.truffle;

import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.InvalidArrayIndexException;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/**
 * A host list ({@code [1, 2]}) or tuple ({@code (a, b)}): a fixed number of elements that
 * {@code xs[i] = v} may replace. Polyglot hosts see it as an array.
 */
@ExportLibrary(InteropLibrary.class)
public final class DlList implements TruffleObject {
    final Object[] items;
    final boolean tuple;

    public DlList(Object[] items, boolean tuple) {
        this.items = items;
        this.tuple = tuple;
    }

    public int size() { return items.length; }
    public Object get(int i) { return items[i]; }
    public boolean isTuple() { return tuple; }
    public java.util.List<Object> asList() { return java.util.Arrays.asList(items); }

    @ExportMessage boolean hasArrayElements() { return true; }
    @ExportMessage long getArraySize() { return items.length; }
    @ExportMessage boolean isArrayElementReadable(long i) { return i >= 0 && i < items.length; }
    @ExportMessage Object readArrayElement(long i) throws InvalidArrayIndexException {
        if (i < 0 || i >= items.length) throw InvalidArrayIndexException.create(i);
        return items[(int) i];
    }

    @Override public String toString() { return Values.repr(this); }
}
