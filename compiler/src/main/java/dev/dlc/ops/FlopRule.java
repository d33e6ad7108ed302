package dev.dlc.ops;

import dev.dlc.types.Dim;
import dev.dlc.types.Type;

/**
 * Forward floating-point operations of one call, given its bound arguments and inferred result.
 * A {@link Dim} so that symbolic shapes give a formula ({@code 401408*B}); with a rest shape only
 * the known dimensions are counted. The conventions are in {@link Flops}.
 */
@FunctionalInterface
public interface FlopRule {
    Dim flops(Bound args, Type result);
}
