package dev.dlc.exec.cpu;

/**
 * What a generated program class implements: kernel {@code k} of the fused program, run on a
 * frame. Kernels the generator does not cover (fallbacks, views) never reach it.
 */
public interface GeneratedKernels {
    void run(int kernel, Frame frame);
}
