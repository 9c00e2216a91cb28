package dev.ember.tensor;

/**
 * A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64). The same seed gives the same
 * numbers on every machine; {@link #getState()}/{@link #setState(long[])} let a checkpoint resume the
 * stream exactly. The numbers differ from PyTorch's Mersenne Twister: seeds are reproducible within Ember,
 * not across frameworks.
 */
public final class Generator {
    /** PyTorch's default seed, used until {@link #manualSeed(long)} is called. */
    public static final long DEFAULT_SEED = 67280421310721L;
    private static final Generator DEFAULT = new Generator(DEFAULT_SEED);

    private final long[] s = new long[4];
    // the counter-based streams of device backends (Philox on CUDA): the seed and the next unused counter
    private long counterSeed;
    private long counterOffset;

    public Generator(long seed) {
        manualSeed(seed);
    }

    /** The generator behind {@code Tensor.rand}, {@code randn}, {@code randint}. */
    public static Generator defaultGenerator() {
        return DEFAULT;
    }

    public synchronized Generator manualSeed(long seed) {
        counterSeed = seed;
        counterOffset = 0;
        long x = seed;
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            s[i] = z ^ (z >>> 31);
        }
        return this;
    }

    /**
     * Reserves the counters for {@code n} numbers of a device's counter-based generator (4 numbers per counter):
     * returns {seed, first counter}. Device random numbers are reproducible after {@link #manualSeed(long)} but
     * are not part of {@link #getState()}.
     */
    public synchronized long[] reserveCounters(long n) {
        long first = counterOffset;
        counterOffset += (n + 3) / 4;
        return new long[] {counterSeed, first};
    }

    public synchronized long[] getState() {
        return s.clone();
    }

    public synchronized void setState(long[] state) {
        if (state == null || state.length != 4 || (state[0] | state[1] | state[2] | state[3]) == 0) {
            throw new IllegalArgumentException("Generator.setState: expected 4 longs, not all zero");
        }
        System.arraycopy(state, 0, s, 0, 4);
    }

    public synchronized long nextLong() {
        long result = Long.rotateLeft(s[1] * 5, 7) * 9;
        long t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = Long.rotateLeft(s[3], 45);
        return result;
    }

    /** Uniform in [0, bound), without modulo bias. */
    public synchronized long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("Generator.nextLong: bound must be positive, got " + bound);
        }
        long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
        while (true) {
            long r = nextLong() >>> 1;
            if (r < limit) {
                return r % bound;
            }
        }
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits (exactly representable in float32). */
    public double nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24;
    }

    /** Fills with standard normal values (Box-Muller, two values per pair of uniforms). */
    public synchronized void fillGaussian(double[] out) {
        for (int i = 0; i < out.length; i += 2) {
            double u1 = 1.0 - nextDouble(); // (0, 1]: log stays finite
            double u2 = nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            out[i] = r * Math.cos(2 * Math.PI * u2);
            if (i + 1 < out.length) {
                out[i + 1] = r * Math.sin(2 * Math.PI * u2);
            }
        }
    }
}
