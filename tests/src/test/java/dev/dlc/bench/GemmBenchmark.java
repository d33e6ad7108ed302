package dev.dlc.bench;

import dev.dlc.exec.cpu.Epilogue;
import dev.dlc.exec.cpu.Gemm;
import dev.dlc.exec.cpu.Gemm.Operand;
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
 * Square sgemm on every core (the CPU pool's default): products per second, and GFLOP/s
 * (2n³ per product) as the auxiliary counter {@code gflop}. Goal: 130 GFLOP/s at 1024 on this
 * 2-core AVX-512 machine (OpenBLAS: about 146). Run with tests/bench.sh GemmBenchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmBenchmark {
    @Param({"256", "512", "1024", "2048"})
    public int n;

    private float[] a, b, c;

    @Setup
    public void fill() {
        a = Inputs.random(n * n, 1);
        b = Inputs.random(n * n, 2);
        c = new float[n * n];
        multiply();
        validate();
    }

    /** A few elements against double dot products: a wrong kernel must not get a figure. */
    private void validate() {
        var r = new SplittableRandom(3);
        for (int t = 0; t < 16; t++) {
            int i = r.nextInt(n), j = r.nextInt(n);
            double want = 0, mag = 0;
            for (int p = 0; p < n; p++) {
                want += (double) a[i * n + p] * b[p * n + j];
                mag += Math.abs((double) a[i * n + p] * b[p * n + j]);
            }
            Inputs.check(c[i * n + j], want, mag, "gemm " + n + " at (" + i + ", " + j + ")");
        }
    }

    private void multiply() {
        Gemm.multiply(n, n, n, Operand.of(a, n), Operand.of(b, n), Operand.of(c, n), false, Epilogue.NONE);
    }

    @Benchmark
    public float[] sgemm(Flops f) {
        multiply();
        f.gflop += 2.0 * n * n * n / 1e9;
        return c;
    }
}
