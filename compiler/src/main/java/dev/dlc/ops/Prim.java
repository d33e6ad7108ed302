package dev.dlc.ops;

/**
 * The primitives of DL, one constant per row of the table in {@code docs/language.md}.
 * Each has exactly one {@link OpDef} in {@link OpTable}.
 */
public enum Prim {
    // elementwise unary
    EXP, LOG, SQRT, RSQRT, TANH, SIGMOID, RELU, SIN, COS, ABS, SIGN, NEG, NOT,
    // elementwise binary (broadcasting)
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    LT, LE, GT, GE, EQ, NE, AND, OR, WHERE,
    // reductions
    SUM, MEAN, MAX, MIN, LOGSUMEXP, ARGMAX, ARGMIN, SOFTMAX, LOG_SOFTMAX,
    // contractions and windows
    MATMUL, CONV2D, MAX_POOL2D, AVG_POOL2D, MAX_POOL2D_GRAD,
    // movement and indexing
    RESHAPE, FLATTEN, TRANSPOSE, PERMUTE, FLIP, BROADCAST, CONCAT, STACK, SPLIT, SLICE, PAD,
    GATHER, SCATTER_ADD, ONE_HOT, EMBEDDING, MASKED_FILL,
    // misc
    DROPOUT, CAST, STOP_GRADIENT,
    // sources
    ZEROS, ONES, FULL, ARANGE
}
