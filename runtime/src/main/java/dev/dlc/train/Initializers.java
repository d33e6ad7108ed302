package dev.dlc.train;

import dev.dlc.check.TrainStep;
import dev.dlc.ops.Tensor;
import dev.dlc.types.Type;
import java.util.SplittableRandom;

/**
 * Initial values of parameters, buffers and optimizer states, as their declarations say.
 * Deterministic: a slot's values depend only on the seed and the slot's path, so the same
 * model starts from the same weights on every backend and in every run.
 *
 * <p>Fans follow the stdlib's layouts: a matrix is {@code [in, out]} (Linear), a tensor of rank
 * 3 or more is {@code [out, in, k...]} (convolutions), as in PyTorch's
 * {@code _calculate_fan_in_and_fan_out} for the latter.
 */
public final class Initializers {
    private Initializers() {}

    public static Tensor initial(TrainStep.Initializer init, Type.Tensor type, String path, long seed) {
        int[] shape = Tensor.shapeOf(type);
        var rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ path.hashCode());
        double fanIn = fanIn(shape), fanOut = fanOut(shape);
        var args = init.args();
        return switch (init.kind()) {
            case "zeros" -> Tensor.filled(type.dtype(), shape, 0);
            case "ones" -> Tensor.filled(type.dtype(), shape, 1);
            case "constant" -> Tensor.filled(type.dtype(), shape, args.getFirst());
            // normal(std) or normal(std, mean)
            case "normal" -> normal(type, shape, rng, args.getFirst(), args.size() > 1 ? args.get(1) : 0);
            case "uniform" -> uniform(type, shape, rng, args.get(0), args.get(1));
            case "xavier_uniform" -> { double a = Math.sqrt(6 / (fanIn + fanOut)); yield uniform(type, shape, rng, -a, a); }
            case "xavier_normal" -> normal(type, shape, rng, Math.sqrt(2 / (fanIn + fanOut)), 0);
            case "kaiming_normal" -> normal(type, shape, rng, Math.sqrt(2 / fanIn), 0);
            case "kaiming_uniform" -> { double a = Math.sqrt(6 / fanIn); yield uniform(type, shape, rng, -a, a); }
            default -> throw new IllegalArgumentException("unknown initializer " + init.kind());
        };
    }

    private static Tensor normal(Type.Tensor t, int[] shape, SplittableRandom r, double std, double mean) {
        return Tensor.build(t.dtype(), shape, _ -> mean + std * r.nextGaussian()).fit(false);
    }

    private static Tensor uniform(Type.Tensor t, int[] shape, SplittableRandom r, double a, double b) {
        return Tensor.build(t.dtype(), shape, _ -> a + (b - a) * r.nextDouble()).fit(false);
    }

    static double fanIn(int[] s) {
        return switch (s.length) {
            case 0 -> 1;
            case 1, 2 -> s[0];
            default -> (double) s[1] * receptive(s);
        };
    }

    static double fanOut(int[] s) {
        return switch (s.length) {
            case 0 -> 1;
            case 1 -> s[0];
            case 2 -> s[1];
            default -> (double) s[0] * receptive(s);
        };
    }

    private static double receptive(int[] s) {
        double r = 1;
        for (int i = 2; i < s.length; i++) r *= s[i];
        return r;
    }
}
