package dev.ember.apps.vision;

import dev.ember.backend.Backends;
import dev.ember.tensor.Device;
import java.util.Locale;

/** The {@code --device} option of the vision commands. */
final class Devices {
    private Devices() {
    }

    /**
     * Accepts {@code cpu}; for {@code cuda} (or {@code cuda:N}) checks that a CUDA backend is present and usable,
     * else fails with a message saying why.
     */
    static void check(String device) {
        String d = device.toLowerCase(Locale.ROOT);
        if (d.equals("cpu")) {
            return;
        }
        if (!d.equals("cuda") && !d.matches("cuda:\\d+")) {
            throw new IllegalArgumentException("--device must be cpu or cuda, got \"" + device + "\"");
        }
        try {
            Backends.forDevice(Device.cuda());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("--device " + device + ": no CUDA backend is available (" + e.getMessage()
                    + "); run on the CPU with --device cpu");
        }
        // a backend exists, but the vision pipeline does not move models and batches to it yet
        throw new IllegalStateException("--device " + device + ": a CUDA backend is present, but the vision"
                + " pipeline runs on the CPU only for now; use --device cpu");
    }
}
