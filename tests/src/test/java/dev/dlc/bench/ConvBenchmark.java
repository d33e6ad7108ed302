package dev.dlc.bench;

import dev.dlc.exec.cpu.Conv2d;
import dev.dlc.exec.cpu.Conv2d.Geometry;
import dev.dlc.exec.cpu.Epilogue.Activation;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * conv2d forward (bias and ReLU fused) at LeNet's shapes (batch 128) and a ResNet block's
 * (batch 32), plus the weight-gradient convolutions ConvVjps builds for them (x with channels
 * as the batch, the output gradient as the kernel): calls per second and GFLOP/s ({@code gflop},
 * 2 per multiply-add), and LeNet's conv2 input gradient (the padded gradient correlated with
 * the flipped, transposed weight: a forward shape with 16 input and 6 output channels).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ConvBenchmark {
    @Param({"lenet1", "lenet2", "resnet", "lenet1_dw", "lenet2_dw", "resnet_dw", "lenet2_dx"})
    public String shape;

    private Geometry g;
    private float[] x, w, bias, out;
    private Activation act;

    @Setup
    public void fill() {
        g = switch (shape) {
            case "lenet1" -> Geometry.of(new int[] {128, 1, 28, 28}, new int[] {6, 1, 5, 5}, 1, 2, 1, 1);
            case "lenet2" -> Geometry.of(new int[] {128, 6, 14, 14}, new int[] {16, 6, 5, 5}, 1, 0, 1, 1);
            case "resnet" -> Geometry.of(new int[] {32, 64, 56, 56}, new int[] {64, 64, 3, 3}, 1, 1, 1, 1);
            // dw = conv2d(xᵀ [C, N, H, W], gᵀ [O, N, OH, OW], padding p): one output per kernel tap.
            case "lenet1_dw" -> Geometry.of(new int[] {1, 128, 28, 28}, new int[] {6, 128, 28, 28}, 1, 2, 1, 1);
            case "lenet2_dw" -> Geometry.of(new int[] {6, 128, 14, 14}, new int[] {16, 128, 10, 10}, 1, 0, 1, 1);
            case "resnet_dw" -> Geometry.of(new int[] {64, 32, 56, 56}, new int[] {64, 32, 56, 56}, 1, 1, 1, 1);
            case "lenet2_dx" -> Geometry.of(new int[] {128, 16, 18, 18}, new int[] {6, 16, 5, 5}, 1, 0, 1, 1);
            default -> throw new IllegalArgumentException(shape);
        };
        boolean forward = !shape.endsWith("_dw") && !shape.endsWith("_dx");
        act = forward ? Activation.RELU : Activation.NONE;
        x = Inputs.random(g.n() * g.c() * g.h() * g.w(), 1);
        w = Inputs.random(g.o() * g.c() / g.groups() * g.kh() * g.kw(), 2);
        bias = forward ? Inputs.random(g.o(), 3) : null;
        out = new float[g.n() * g.o() * g.outH() * g.outW()];
        convolve();
        validate();
    }

    private void convolve() { Conv2d.forward(x, 0, w, 0, bias, 0, out, 0, g, act); }

    /** A few outputs summed directly in double (groups = 1 here). */
    private void validate() {
        var r = new SplittableRandom(4);
        int oh = g.outH(), ow = g.outW();
        for (int t = 0; t < 16; t++) {
            int n = r.nextInt(g.n()), o = r.nextInt(g.o()), y = r.nextInt(oh), z = r.nextInt(ow);
            double want = bias == null ? 0 : bias[o], mag = Math.abs(want);
            for (int c = 0; c < g.c(); c++)
                for (int i = 0; i < g.kh(); i++)
                    for (int j = 0; j < g.kw(); j++) {
                        int iy = y * g.strideH() - g.padH() + i * g.dilationH(), ix = z * g.strideW() - g.padW() + j * g.dilationW();
                        if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                        double p = (double) x[((n * g.c() + c) * g.h() + iy) * g.w() + ix] * w[((o * g.c() + c) * g.kh() + i) * g.kw() + j];
                        want += p;
                        mag += Math.abs(p);
                    }
            if (act == Activation.RELU) want = Math.max(0, want);
            Inputs.check(out[((n * g.o() + o) * oh + y) * ow + z], want, mag, "conv " + shape);
        }
    }

    @Benchmark
    public float[] conv2d(Flops f) {
        convolve();
        f.gflop += 2.0 * g.n() * g.o() * g.outH() * g.outW() * (g.c() / g.groups()) * g.kh() * g.kw() / 1e9;
        return out;
    }
}
