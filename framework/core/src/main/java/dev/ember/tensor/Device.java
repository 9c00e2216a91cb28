package dev.ember.tensor;

/**
 * Where a tensor's storage lives: {@code cpu} or {@code cuda:N}. Printed as PyTorch prints devices.
 *
 * @param type  "cpu" or "cuda"
 * @param index device ordinal; 0 for the CPU
 */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        if (!type.equals("cpu") && !type.equals("cuda")) {
            throw new IllegalArgumentException("Device: expected type \"cpu\" or \"cuda\", got \"" + type + "\"");
        }
        if (index < 0) {
            throw new IllegalArgumentException("Device: index must be >= 0, got " + index);
        }
    }

    public static Device cpu() {
        return CPU;
    }

    public static Device cuda() {
        return new Device("cuda", 0);
    }

    public static Device cuda(int index) {
        return new Device("cuda", index);
    }

    @Override
    public String toString() {
        return type.equals("cpu") ? "cpu" : type + ":" + index;
    }
}
