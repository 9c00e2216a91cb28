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
    private static final List<Backend> REGISTERED = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Backends() {
    }

    /**
     * Adds a backend that ServiceLoader does not find (one built at run time, or a test's emulated device). It
     * comes before the class path's backends, so it serves its device type until {@link #unregister}.
     */
    public static void register(Backend backend) {
        REGISTERED.addFirst(java.util.Objects.requireNonNull(backend, "backend"));
    }

    public static void unregister(Backend backend) {
        REGISTERED.remove(backend);
    }

    /** Every backend: the registered ones, then those on the class path, available or not. */
    public static List<Backend> all() {
        List<Backend> found = serviceLoaded();
        if (REGISTERED.isEmpty()) {
            return found;
        }
        List<Backend> both = new ArrayList<>(REGISTERED);
        both.addAll(found);
        return List.copyOf(both);
    }

    private static List<Backend> serviceLoaded() {
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
