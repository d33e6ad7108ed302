package dev.dlc.types;

import java.util.Locale;
import java.util.Optional;

/** Element types of tensors. */
public enum DType {
    F32(4), F16(2), BF16(2), F64(8), I32(4), I64(8), BOOL(1);

    public final int bytes;
    DType(int bytes) { this.bytes = bytes; }

    public boolean isFloat() { return this == F32 || this == F16 || this == BF16 || this == F64; }
    public boolean isInt() { return this == I32 || this == I64; }
    public boolean isBool() { return this == BOOL; }

    public String spelling() { return name().toLowerCase(Locale.ROOT); }

    public static Optional<DType> parse(String s) {
        for (DType d : values()) if (d.spelling().equals(s)) return Optional.of(d);
        return Optional.empty();
    }

    @Override public String toString() { return spelling(); }
}
