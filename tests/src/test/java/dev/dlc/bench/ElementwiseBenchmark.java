package dev.dlc.bench;

import dev.dlc.exec.cpu.Parallel;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A fused elementwise kernel as the code generator will write it: {@code relu(x * w + b)} over
 * 4M floats (x, w, b and the output all 4M: 64 MiB moved per call), a Vector API loop split over
 * the CPU pool. Calls per second, and memory traffic ({@code gbytes}: bytes read + written, in
 * GB/s). Goal: 25 GB/s on this machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ElementwiseBenchmark {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int N = 1 << 22;
    /** Chunks of the range handed to the pool: whole vectors, several per thread. */
    private static final int BLOCK = 1 << 14;

    private final float[] x = Inputs.random(N, 1), w = Inputs.random(N, 2), b = Inputs.random(N, 3), out = new float[N];

    @Setup
    public void validate() {
        reluAffine();
        for (int i = 0; i < N; i += 9973) {
            float want = Math.max(0f, Math.fma(x[i], w[i], b[i]));
            if (out[i] != want) throw new IllegalStateException("relu(x*w+b) at " + i + ": " + out[i] + ", expected " + want);
        }
    }

    private void reluAffine() {
        Parallel.forRange(N / BLOCK, (lo, hi) -> {
            int i = lo * BLOCK, end = hi * BLOCK;
            for (; i < end; i += S.length()) {
                var v = FloatVector.fromArray(S, x, i).fma(FloatVector.fromArray(S, w, i), FloatVector.fromArray(S, b, i));
                v.max(0f).intoArray(out, i);
            }
        });
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public double gbytes;

        @Setup(Level.Iteration)
        public void reset() { gbytes = 0; }
    }

    @Benchmark
    public float[] reluOfAffine(Bytes bytes) {
        reluAffine();
        bytes.gbytes += 4.0 * Float.BYTES * N / 1e9;
        return out;
    }
}
