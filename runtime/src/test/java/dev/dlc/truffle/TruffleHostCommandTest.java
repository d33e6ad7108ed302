package dev.dlc.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dlc.cli.HostCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dlc host FILE}: output on stdout, diagnostics on stderr, exit status 1 on errors. */
class TruffleHostCommandTest {
    @TempDir Path dir;

    private record Result(int status, String out, String err) {}

    private Result host(String text) throws Exception {
        Path file = dir.resolve("p.dl");
        Files.writeString(file, text);
        var out = new StringWriter();
        var err = new StringWriter();
        var cl = new CommandLine(new HostCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(file.toString());
        return new Result(status, out.toString(), err.toString().replace(file.toString(), "p.dl"));
    }

    @Test void runsMain() throws Exception {
        var r = host("main {\n    for i in range(2) { print(\"i =\", i) }\n}\n");
        assertEquals(new Result(0, "i = 0\ni = 1\n", ""), r);
    }

    @Test void runtimeErrorExitsWithOne() throws Exception {
        var r = host("main {\n    print(\"start\")\n    for i in range(100001) { print(10 // (2 - i)) }\n}\n");
        assertEquals(1, r.status());
        assertEquals("start\n5\n10\n", r.out());
        assertEquals("p.dl:3:39: error: operator //: division by zero\n"
                + "        for i in range(100001) { print(10 // (2 - i)) }\n"
                + "                                          ^~\n", r.err());
    }

    @Test void compileErrorExitsWithOne() throws Exception {
        var r = host("main {\n    print(x)\n}\n");
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals("p.dl:2:11: error: undefined name 'x'\n        print(x)\n              ^\n1 error in p.dl\n", r.err());
    }

    @Test void missingFile() {
        var err = new StringWriter();
        var cl = new CommandLine(new HostCommand());
        cl.setErr(new PrintWriter(err, true));
        assertEquals(1, cl.execute(dir.resolve("none.dl").toString()));
        assertEquals(dir.resolve("none.dl") + ": error: no such file\n", err.toString());
    }
}
