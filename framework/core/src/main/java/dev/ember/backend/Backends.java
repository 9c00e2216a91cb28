package dev.ember.backend;

import dev.ember.tensor.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds backends on the class path through {@link ServiceLoader}. The CPU backend lives in ember-core
 * and is always present; adding ember-cuda to the class path adds the CUDA one.
 */
public final class Backends {
    private static volatile List<Backend> all;

    private Backends() {
    }

    /** Every backend on the class path, available or not. */
    public static List<Backend> all() {
        List<Backend> list = all;
        if (list == null) {
            List<Backend> found = new ArrayList<>();
            for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
                found.add(b);
            }
            list = List.copyOf(found);
            all = list;
        }
        return list;
    }

    /** The backends that can run on this machine. */
    public static List<Backend> available() {
        return all().stream().filter(Backend::isAvailable).toList();
    }

    /** The backend serving {@code device}; a clear error when none is available. */
    public static Backend forDevice(Device device) {
        for (Backend b : all()) {
            if (b.deviceType().equals(device.type())) {
                if (!b.isAvailable()) {
                    throw new IllegalStateException("backend '" + b.name() + "' for device " + device
                            + " is not available on this machine: " + b.unavailableReason());
                }
                return b;
            }
        }
        throw new IllegalStateException("no backend for device " + device + " on the class path"
                + (device.type().equals("cuda") ? " (add the ember-cuda module)" : ""));
    }
}
