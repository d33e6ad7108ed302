package dev.dlc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The shapes `dlc gradcheck` checks at: sizes grown until a layer's shapes fit, inputs with no
 * float path to the result left out, and batch statistics over at least 4 values.
 */
class GradcheckShapesTest {
    private static void allPass(Repo.Run run) {
        assertEquals("", run.err());
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().lines().filter(l -> l.contains("max relative error")).allMatch(l -> l.endsWith("  ok")), run.out());
    }

    @Test
    void aLayerWhoseShapesNeedMoreRoomIsCheckedAtTheFirstSizeThatFits() {
        // A dilated 3x3 kernel spans 5: at --size 4 the last convolution does not fit; at 8 it does.
        var run = Repo.dlc("gradcheck", Repo.path("tests/valid/15_dilated.dl").toString());
        allPass(run);
        assertTrue(run.out().contains("DilatedStack: checked on [f32[2,1,8,8]] (at --size 4 its shapes do not fit)\n"), run.out());
        assertTrue(run.out().contains("dil: checked on [f32[8,8,8,8], f32[8,8,3,3]] (at --size 4 its shapes do not fit)\n"), run.out());
        assertTrue(run.out().contains("DilatedStack parameter c4.w  max relative error"), run.out());
    }

    @Test
    void shapesThatFitNoSizeAreReportedOnceEachAtTheLargest() {
        var run = Repo.dlc("gradcheck", Repo.path("tests/train/kernels_larger_than_any_size.dl").toString());
        assertEquals(1, run.status());
        assertEquals("", run.out());
        assertEquals(1, run.err().split("kernel 65x65 is larger than the padded input 32x32", -1).length - 1, run.err());
        assertEquals(1, run.err().split("kernel 99x99 is larger than the padded input 32x32", -1).length - 1, run.err());
    }

    @Test
    void anInputUsedOnlyThroughIntegersIsSaidNotFailed() {
        // x becomes token ids (i32) and lengths: no float path from it to the logits.
        var run = Repo.dlc("gradcheck", Repo.path("tests/valid/p2_02_transformer_lengths_mask.dl").toString());
        allPass(run);
        assertTrue(run.out().contains("TextClassifier input x  no gradient: it reaches the result only through integer or bool values; not checked\n"),
                run.out());
        assertTrue(run.out().contains("TextClassifier [training] parameter head.w  max relative error"), run.out());
    }

    @Test
    void batchNormOverTwoValuesIsCheckedAtBatchFour() {
        // 2x2 images pooled to 1x1: the second batch norm's statistics are over batch x 1 x 1 values.
        var run = Repo.dlc("gradcheck", Repo.path("tests/train/batchnorm_on_1x1_maps.dl").toString());
        allPass(run);
        String said = ": batch norm statistics over 2 values (batch 2) make the loss too flat for finite differences; "
                + "checking at batch 4, where they are over 4\n";
        assertTrue(run.out().contains("Tiny [training]" + said), run.out());
        assertTrue(run.out().contains("train tiny" + said), run.out());
        // Inference mode reads running statistics: nothing to say there.
        assertEquals(2, run.out().lines().filter(l -> l.contains("batch norm statistics")).count(), run.out());
    }
}
