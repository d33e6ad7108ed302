package dev.dlc.ops;

/**
 * How an op may fuse with its neighbours (TVM's op patterns); the fuse pass reads only this.
 * ELEMWISE: output i depends on input i. BROADCAST: like ELEMWISE after broadcasting inputs.
 * INJECTIVE: each output element reads one input element (movement, gather). REDUCE: combines
 * elements along axes. OPAQUE: fuses with nothing (matmul, conv, pools, scatter).
 */
public enum Fusion { ELEMWISE, BROADCAST, INJECTIVE, REDUCE, OPAQUE }
