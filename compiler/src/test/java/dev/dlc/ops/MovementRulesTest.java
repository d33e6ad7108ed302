package dev.dlc.ops;

import dev.dlc.types.Dim;

import static dev.dlc.ops.Calls.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class MovementRulesTest {

    @Test void reshape() {
        assertEquals("f32[B,1,28,28]", type("reshape", t("f32[B,784]"), dims("B", "1", "28", "28")));
        assertEquals("f32[B,1,28,28]", type("reshape", t("f32[B,784]"), dims("-1", "1", "28", "28")));
        assertEquals("f32[B,T,h,D/h]", type("reshape", t("f32[B,T,D]"), dims("B", "T", "h", "-1")));
        assertEquals("f32[6]", type("reshape", t("f32[2,3]"), dims("-1")));
        assertEquals("reshape: cannot reshape f32[B,784] (784*B elements) to [B,100] (100*B elements)",
                error("reshape", t("f32[B,784]"), dims("B", "100")));
        assertEquals("reshape: cannot reshape f32[2,3] (6 elements) to [-1,4]", error("reshape", t("f32[2,3]"), dims("-1", "4")));
        assertEquals("reshape: expected sizes >= 0 and at most one -1, found [-1,-1]",
                error("reshape", t("f32[2,3]"), dims("-1", "-1")));
        assertEquals("reshape: cannot reshape f32[...,10]: its leading dimensions are unknown",
                error("reshape", t("f32[...,10]"), dims("10")));
    }

    @Test void flatten() {
        assertEquals("f32[B,784]", type("flatten", t("f32[B,1,28,28]")));
        assertEquals("f32[B,400]", type("flatten", t("f32[B,16,5,5]")));
        assertEquals("f32[12*B]", type("flatten", t("f32[B,3,4]"), kw("start", 0L)));
        assertEquals("f32[...,12]", type("flatten", t("f32[...,3,4]"), kw("start", -2L)));
        assertEquals("flatten: axis 1 is out of range for f32[B]", error("flatten", t("f32[B]")));
    }

    @Test void transposeAndPermute() {
        assertEquals("f32[B,H,D,S]", type("transpose", t("f32[B,H,S,D]"), -1L, -2L));
        assertEquals("f32[...,K,T]", type("transpose", t("f32[...,T,K]")));
        assertEquals("f32[B,H,T,D]", type("permute", t("f32[B,T,H,D]"), ints(0, 2, 1, 3)));
        assertEquals("permute: axes [0, 1] are not a permutation of the 3 axes of f32[A,B,C]",
                error("permute", t("f32[A,B,C]"), ints(0, 1)));
        assertEquals("permute: axis 1 is repeated in [1, 1, 0]", error("permute", t("f32[A,B,C]"), ints(1, 1, 0)));
        assertEquals("permute: needs a known rank, but f32[...,C] has unknown leading dimensions",
                error("permute", t("f32[...,C]"), ints(0)));
    }

    @Test void broadcastOp() {
        assertEquals("f32[B,10]", type("broadcast", t("f32[10]"), dims("B", "10")));
        assertEquals("broadcast: cannot broadcast f32[B,10] to [10]", error("broadcast", t("f32[B,10]"), dims("10")));
    }

    @Test void concatAndStack() {
        assertEquals("f32[B,3,9]", type("concat", List.of(t("f32[B,3,4]"), t("f32[B,3,5]")), kw("axis", -1L)));
        assertEquals("f32[2*B,3]", type("concat", List.of(t("f32[B,3]"), t("f32[B,3]"))));
        assertEquals("concat: dimension 2 differs: f32[B,3,4] and f32[B,3,5]",
                error("concat", List.of(t("f32[B,3,4]"), t("f32[B,3,5]"))));
        assertEquals("concat: dtypes differ: f32[B] and i32[B]", error("concat", List.of(t("f32[B]"), t("i32[B]"))));
        assertEquals("concat: ranks differ: f32[B] and f32[B,1]", error("concat", List.of(t("f32[B]"), t("f32[B,1]"))));
        assertEquals("concat: expected at least one tensor, found []", error("concat", List.of()));
        assertEquals("f32[B,3,T]", type("stack", List.of(t("f32[B,T]"), t("f32[B,T]"), t("f32[B,T]")), kw("axis", 1L)));
        assertEquals("f32[B,T,2]", type("stack", List.of(t("f32[B,T]"), t("f32[B,T]")), kw("axis", -1L)));
        assertEquals("stack: types differ: f32[B,T] and f32[B,S]", error("stack", List.of(t("f32[B,T]"), t("f32[B,S]"))));
    }

    @Test void split() {
        assertEquals("(f32[B,4], f32[B,4], f32[B,2])", type("split", t("f32[B,10]"), 4L, kw("axis", 1L)));
        assertEquals("(f32[1,C], f32[2,C])", type("split", t("f32[3,C]"), ints(1, 2)));
        assertEquals("split: sizes [1, 1] add up to 2, but axis 0 of f32[3,C] has 3", error("split", t("f32[3,C]"), ints(1, 1)));
        assertEquals("split: chunks of 2 do not divide axis 0 of f32[B,3] into a known number of parts", error("split", t("f32[B,3]"), 2L));
        // Symbolic chunks that divide the axis a known number of times: a GRU's three gates.
        assertEquals("(f32[B,H], f32[B,H], f32[B,H])", type("split", t("f32[B,3*H]"), Dim.sym("H"), kw("axis", 1L)));
    }

    @Test void slice() {
        assertEquals("f32[B,9]", type("slice", t("f32[B,10]"), 1L, 1L));
        assertEquals("f32[B,3]", type("slice", t("f32[B,10]"), 1L, 2L, 5L));
        assertEquals("f32[B,5]", type("slice", t("f32[B,10]"), 1L, 0L, kw("step", 2L)));
        assertEquals("f32[B,1]", type("slice", t("f32[B,10]"), 1L, -1L));
        assertEquals("f32[B,0]", type("slice", t("f32[B,10]"), 1L, 12L));
        assertEquals("f32[T-1,D]", type("slice", t("f32[T,D]"), 0L, 1L));
        assertEquals("f32[...,T-2,D]", type("slice", t("f32[...,T,D]"), -2L, 1L, -1L));
        // A symbolic bound: the first T rows of a table with 1000 (a learned positional embedding).
        assertEquals("f32[T,D]", type("slice", t("f32[1000,D]"), 0L, 0L, Dim.sym("T")));
        assertEquals("slice: step must be positive, found 0", error("slice", t("f32[B,10]"), 1L, 0L, kw("step", 0L)));
    }

    @Test void pad() {
        assertEquals("f32[B,3,H+2,W+2]", type("pad", t("f32[B,3,H,W]"), ints(1, 1, 1, 1)));
        assertEquals("f32[...,7]", type("pad", t("f32[...,4]"), ints(0, 3)));
        assertEquals("pad: expected (before, after) pairs for at most 1 dims, found [1]", error("pad", t("f32[4]"), ints(1)));
        assertEquals("pad: padding [-3, -3] leaves a negative size for f32[4]", error("pad", t("f32[4]"), ints(-3, -3)));
    }

    @Test void gatherScatter() {
        assertEquals("f32[B,1]", type("gather", t("f32[B,10]"), t("i32[B,1]"), 1L));
        assertEquals("gather: expected an integer index, found f32[B,1]", error("gather", t("f32[B,10]"), t("f32[B,1]"), 1L));
        assertEquals("gather: index i32[B] must have the rank of f32[B,10]", error("gather", t("f32[B,10]"), t("i32[B]"), 1L));
        assertEquals("gather: index i32[3,1] is larger than f32[2,10] in dimension 0", error("gather", t("f32[2,10]"), t("i32[3,1]"), 1L));
        assertEquals("f32[B,10]", type("scatter_add", t("f32[B,10]"), t("i32[B,1]"), t("f32[B,1]"), 1L));
        assertEquals("scatter_add: dtypes differ: f32[B,10] and f64[B,1]",
                error("scatter_add", t("f32[B,10]"), t("i32[B,1]"), t("f64[B,1]"), 1L));
    }

    @Test void oneHotAndEmbedding() {
        assertEquals("f32[B,10]", type("one_hot", t("i32[B]"), 10L));
        assertEquals("f32[B,T,K]", type("one_hot", t("i64[B,T]"), dim("K")));
        assertEquals("one_hot: expected integer labels, found f32[B]", error("one_hot", t("f32[B]"), 10L));
        assertEquals("f32[B,T,64]", type("embedding", t("f32[1000,64]"), t("i32[B,T]")));
        assertEquals("embedding: expected integer ids, found f32[B]", error("embedding", t("f32[V,D]"), t("f32[B]")));
        assertEquals("embedding: expected a table [V,D] of rank 2, found f32[V]", error("embedding", t("f32[V]"), t("i32[B]")));
    }
}
