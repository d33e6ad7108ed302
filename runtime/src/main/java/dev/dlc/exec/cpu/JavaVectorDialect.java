package dev.dlc.exec.cpu;

import java.util.List;

/**
 * Plain Java for the JVM: kernels as static methods of one class per program, outer loops
 * split over {@link Parallel} by {@link Loops#run}, innermost loops as Vector API loops over
 * {@code FloatVector.SPECIES_PREFERRED} with a scalar tail.
 */
final class JavaVectorDialect implements Dialect {

    @Override public String header(String className) {
        return """
                package dlc.gen;

                import dev.dlc.exec.cpu.*;
                import dev.dlc.ops.kernels.CounterRng;
                import dev.dlc.types.DType;
                import jdk.incubator.vector.*;

                public final class %s implements GeneratedKernels {
                    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
                    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
                    static final FloatVector ZERO = FloatVector.zero(S), ONE = FloatVector.broadcast(S, 1f);

                """.formatted(className);
    }

    @Override public String footer(List<Integer> kernels) {
        var sb = new StringBuilder("    @Override public void run(int kernel, Frame fr) {\n        switch (kernel) {\n");
        for (int k : kernels) sb.append("            case ").append(k).append(" -> k").append(k).append("(fr);\n");
        sb.append("            default -> throw new IllegalArgumentException(\"no generated kernel \" + kernel);\n        }\n    }\n}\n");
        return sb.toString();
    }

    @Override public String kernelOpen(int id, List<Storage.Loc> arrays) { return open("k" + id, arrays); }

    @Override public String pieceOpen(int id, int piece, List<Storage.Loc> arrays) { return open("k" + id + "_" + piece, arrays); }

    @Override public String callPiece(int id, int piece) { return "k" + id + "_" + piece + "(fr);\n"; }

    private static String open(String method, List<Storage.Loc> arrays) {
        var sb = new StringBuilder("    static void ").append(method).append("(Frame fr) {\n");
        sb.append("        final long seed = fr.seed, scope = fr.scope;\n");
        var bound = new java.util.HashSet<String>();
        for (var a : arrays) {
            if (!bound.add(a.array())) continue;
            String type = switch (a.table()) { case 'f' -> "float[]"; case 'i' -> "int[]"; default -> "double[]"; };
            sb.append("        final ").append(type).append(' ').append(a.array()).append(" = fr.").append(a.table())
              .append('[').append(a.slot()).append("];\n");
        }
        return sb.toString();
    }

    @Override public String kernelClose() { return "    }\n\n"; }

    @Override public String parallel(String n, long work, String body) {
        return "Loops.run(" + n + ", " + work + "L, (lo, hi) -> {\n" + body + "});\n";
    }

    @Override public int lanes() { return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(); }
    @Override public String vectorBound(String from, String to) { return from + " + S.loopBound(" + to + " - " + from + ")"; }
    @Override public String vectorStep() { return "S.length()"; }
    @Override public String vload(String array, String index, String mask) {
        return "FloatVector.fromArray(S, " + array + ", " + index + (mask == null ? "" : ", " + mask) + ")";
    }
    @Override public String vloadRepeat(String array, String index, int k, String count) {
        // qualified: jdk.incubator.vector has a VectorMath of its own
        return "dev.dlc.exec.cpu.VectorMath.repeat(" + array + ", " + index + ", " + k + (count == null ? "" : ", " + count) + ")";
    }
    @Override public String vmath(String function, String a) { return "dev.dlc.exec.cpu.VectorMath." + function + "(" + a + ")"; }
    @Override public String vline(String function, String array, String start, int n) {
        return "dev.dlc.exec.cpu.VectorMath." + function + "(" + array + ", " + start + ", " + n + ")";
    }
    @Override public String softmaxLine(String src, String start, int n, String dst, boolean log) {
        return "dev.dlc.exec.cpu.VectorMath." + (log ? "logSoftmaxLine(" : "softmaxLine(") + src + ", " + start + ", " + n + ", " + dst + ");";
    }
    // A vector's room past n: a masked load or store whose whole vector would run past the
    // array's end takes the Vector API's lane-by-lane path.
    @Override public String lineScratch(String name, int n) { return "final float[] " + name + " = new float[" + n + " + S.length()];"; }
    @Override public String voneHot(String label, String base) { return "dev.dlc.exec.cpu.VectorMath.oneHot(" + label + ", " + base + ")"; }
    @Override public String vtailMask(String from, String to) { return "S.indexInRange(" + from + ", " + to + ")"; }
    @Override public String vstore(String value, String array, String index, String mask) {
        return value + ".intoArray(" + array + ", " + index + (mask == null ? "" : ", " + mask) + ");";
    }
    @Override public int vectorLength() { return VectorMath.S.length(); }
    @Override public String vsplat(String scalar) { return "FloatVector.broadcast(S, (float) " + scalar + ")"; }
    @Override public String vsplatMask(String scalar) { return "S.maskAll(" + scalar + " != 0)"; }
    @Override public String maskToFloat(String mask) { return "ZERO.blend(ONE, " + mask + ")"; }
    @Override public String vbinary(String op, String a, String b) { return a + "." + op + "(" + b + ")"; }
    @Override public String vcompare(String c, String a, String b) { return a + ".compare(VectorOperators." + c + ", " + b + ")"; }
    @Override public String vunary(String op, String a) { return a + "." + op + "()"; }
    @Override public String vselect(String mask, String a, String b) { return b + ".blend(" + a + ", " + mask + ")"; }
    @Override public String vmask(String op, String a, String b) { return b == null ? a + "." + op + "()" : a + "." + op + "(" + b + ")"; }
    @Override public String vdropout(String x, String key, String flat, float threshold, float scale, float low) {
        return "ZERO.blend(" + x + ".fma(FloatVector.broadcast(S, " + Float.toHexString(scale) + "f), " + x + ".mul(" + Float.toHexString(low) + "f)), VectorMask.fromLong(S, DropoutMask.keep(" + key + ", " + flat + ", "
                + Float.toHexString(threshold) + "f)))";
    }

    @Override public int sumLanes() { return jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.length(); }
    @Override public String vsumType() { return "DoubleVector"; }
    @Override public String vsumZero() { return "DoubleVector.zero(D)"; }
    @Override public String vsumAdd(String acc, String v, int part) {
        return acc + ".add((DoubleVector) " + v + ".convertShape(VectorOperators.F2D, D, " + part + "))";
    }
    @Override public String vsumLane(String acc, int lane) { return acc + ".lane(" + lane + ")"; }

    @Override public String vectorType() { return "FloatVector"; }
    @Override public String maskType() { return "VectorMask<Float>"; }
}
