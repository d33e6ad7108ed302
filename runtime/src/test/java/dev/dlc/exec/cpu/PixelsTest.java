package dev.dlc.exec.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Bytes to [0, 1] floats: the vector loop and its scalar tail give {@code (float) (v / 255.0)} for every byte. */
class PixelsTest {
    @Test
    void everyByteScalesToTheScalarValue() {
        byte[] src = new byte[3 + 256 + 7];
        for (int i = 0; i < src.length; i++) src[i] = (byte) (i * 37);
        float[] dst = new float[src.length + 5];
        Pixels.scaled(src, 3, dst, 5, src.length - 3);
        for (int i = 3; i < src.length; i++) {
            int v = src[i] & 0xFF;
            assertEquals(Float.floatToIntBits((float) (v / 255.0)), Float.floatToIntBits(dst[i + 2]), "byte " + v);
        }
        assertEquals(0f, dst[4], "nothing before the offset");
    }
}
