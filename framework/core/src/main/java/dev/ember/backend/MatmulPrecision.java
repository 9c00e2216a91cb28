package dev.ember.backend;

/**
 * How float32 matrix products may trade precision for speed, PyTorch's
 * {@code torch.set_float32_matmul_precision}: {@code HIGHEST} computes in float32, {@code HIGH} allows TF32
 * tensor cores (10-bit mantissa inputs, float32 accumulation), {@code MEDIUM} allows bfloat16 inputs (8-bit
 * mantissa). The CPU backend always computes in float32; the CUDA backend follows the setting.
 */
public enum MatmulPrecision {
    HIGHEST, HIGH, MEDIUM;

    private static volatile MatmulPrecision current = HIGHEST;

    public static MatmulPrecision current() {
        return current;
    }

    public static void set(MatmulPrecision precision) {
        current = java.util.Objects.requireNonNull(precision, "precision");
    }

    /** Parses PyTorch's names: "highest", "high", "medium". */
    public static MatmulPrecision parse(String name) {
        for (MatmulPrecision p : values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("setFloat32MatmulPrecision: expected \"highest\", \"high\" or "
                + "\"medium\", got \"" + name + "\"");
    }
}
