package dev.dlc.bench;

import dev.dlc.Compiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The front end's speed goal: `dlc check` of the whole stdlib and every example in one warm
 * JVM, under 300 ms. Run with tests/bench.sh; not part of the unit tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CheckBenchmark {
    private List<Path> files;

    @Setup
    public void findFiles() throws IOException {
        Path root = Path.of(System.getProperty("dlc.root", "."));
        try (Stream<Path> ex = Files.walk(root.resolve("examples")); Stream<Path> std = Files.list(root.resolve("stdlib/std"))) {
            files = Stream.concat(std, ex).filter(p -> p.toString().endsWith(".dl")).sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalStateException("no .dl files under " + root);
    }

    /** Everything checked once: must report no errors, or the benchmark measures the wrong thing. */
    @Benchmark
    public void checkStdlibAndExamples(Blackhole bh) {
        for (Path f : files) {
            var c = Compiler.checkFile(f);
            if (c.diags().hasErrors()) throw new IllegalStateException(c.diags().render());
            bh.consume(c);
        }
    }
}
