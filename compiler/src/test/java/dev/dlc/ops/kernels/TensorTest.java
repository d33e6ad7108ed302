package dev.dlc.ops.kernels;

import static dev.dlc.ops.kernels.K.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.dlc.ops.Tensor;
import dev.dlc.types.DType;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test void rowMajorIndexing() {
        var t = f32(s(2, 3), 0, 1, 2, 3, 4, 5);
        assertEquals(5, t.get(1, 2));
        assertEquals(3, t.get(1, 0));
        assertArrayEquals(s(1, 2), Tensor.unravel(5, s(2, 3)));
        assertArrayEquals(s(3, 1), Tensor.strides(s(2, 3)));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(DType.F32, s(2), 1));
    }

    @Test void fitRoundsToTheDtype() {
        // 0.1 is not a float: (float) 0.1 = 0.100000001490116...
        assertEquals(0.10000000149011612, f32(s(1), 0.1).fit(false).at(0));
        assertEquals(0.1, f32(s(1), 0.1).fit(true).at(0), "the f64 mode keeps doubles");
        assertEquals(-2147483648.0, i32(s(1), 2147483648.0).fit(true).at(0), "i32 wraps in both modes");
        assertEquals(1, bool(s(1), 5).fit(false).at(0));
        // f16 has 11 significant bits: 1 + 2^-11 rounds to 1 (ties to even), 1 + 2^-10 is exact
        assertEquals(1.0, Tensor.fit(DType.F16, 1 + Math.scalb(1.0, -11)));
        assertEquals(1 + Math.scalb(1.0, -10), Tensor.fit(DType.F16, 1 + Math.scalb(1.0, -10)));
        // bf16 has 8: 1 + 2^-8 is a tie and rounds to even (1); 1 + 3·2^-8 rounds up to 1 + 2^-6
        assertEquals(1.0, Tensor.fit(DType.BF16, 1 + Math.scalb(1.0, -8)));
        assertEquals(1 + Math.scalb(1.0, -6), Tensor.fit(DType.BF16, 1 + 3 * Math.scalb(1.0, -8)));
    }

    @Test void valueEquality() {
        assertEquals(f32(s(2), 1, 2), f32(s(2), 1, 2));
        assertNotEquals(f32(s(2), 1, 2), f64(s(2), 1, 2));
        assertNotEquals(f32(s(2), 1, 2), f32(s(1, 2), 1, 2));
        assertEquals("f32[2] [1.0, 2.0]", f32(s(2), 1, 2).toString());
    }
}
