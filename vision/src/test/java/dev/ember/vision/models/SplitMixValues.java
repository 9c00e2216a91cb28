package dev.ember.vision.models;

/**
 * The pseudo-random values of tools/make_vision_golden.py, bit for bit: a counter-based SplitMix64 stream
 * {@code z_i = mix(seed + i * 0x9E3779B97F4A7C15)}, i = 1..n, {@code u_i = (z_i >>> 40) * 2^-24} and
 * {@code v_i = (float) (offset + scale * (2 u_i - 1))} in double arithmetic, rounded once to float.
 */
final class SplitMixValues {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private SplitMixValues() {
    }

    static float[] values(long seed, double offset, double scale, long numel) {
        float[] out = new float[Math.toIntExact(numel)];
        for (int i = 0; i < out.length; i++) {
            long z = seed + (i + 1L) * GAMMA;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            double u = (z >>> 40) * 0x1.0p-24;
            out[i] = (float) (offset + scale * (2 * u - 1));
        }
        return out;
    }
}
