package dev.dlc.ops.kernels;

/**
 * A counter-based random generator: the number for element {@code i} of dropout site
 * {@code site} under {@code seed} is a pure function of the three, so every backend, thread
 * count and element order draws the same mask (DESIGN.md, "reproducible by default").
 *
 * <pre>
 *   key(seed, site) = mix(seed ^ mix(site + GOLDEN))
 *   u(key, i)       = top 24 bits of mix(key + (i + 1) * GOLDEN) / 2^24      in [0, 1)
 * </pre>
 * {@code mix} is SplitMix64's finalizer (a bijection of 64-bit words with full avalanche) and
 * the counter steps by the golden-ratio constant as SplitMix64 does. 24 bits make u exact in
 * f32, so a GPU kernel can compare it with p in float and agree bit for bit.
 */
public final class CounterRng {
    private CounterRng() {}

    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** SplitMix64's finalizer. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The stream of a random op at {@code site} in a graph run under {@code scope}: the site
     * itself at the top level (scope 0), else mixed with the scope, which a scan draws afresh
     * for every step of its body.
     */
    public static long stream(long scope, long site) { return scope == 0 ? site : mix(scope + site); }

    /** The scope of step {@code t} of a scan whose own stream is {@code stream}. */
    public static long stepScope(long stream, long t) { return mix(mix(stream) + t + 1); }

    /** The stream of one site under one seed. */
    public static long key(long seed, long site) { return mix(seed ^ mix(site + GOLDEN)); }

    /** The uniform number of element {@code i} of a stream, a multiple of 2^-24 in [0, 1). */
    public static double uniform(long key, long i) { return (mix(key + (i + 1) * GOLDEN) >>> 40) * 0x1.0p-24; }
}
