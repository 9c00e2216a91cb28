package dev.ember.apps.vision;

import dev.ember.backend.Backends;
import dev.ember.nn.Module;
import dev.ember.tensor.Device;
import dev.ember.vision.train.ModelFactory;
import dev.ember.vision.train.VisionModels;
import java.util.Locale;

/** The {@code --device} option of the vision commands. */
final class Devices {
    private Devices() {
    }

    /**
     * The device named by {@code --device}: {@code cpu}, or {@code cuda} / {@code cuda:0} when a CUDA backend can
     * run here (else an error saying why).
     */
    static Device parse(String device) {
        String d = device.toLowerCase(Locale.ROOT);
        if (d.equals("cpu")) {
            return Device.CPU;
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
        return d.equals("cuda") ? Device.cuda() : Device.cuda(Integer.parseInt(d.substring(5)));
    }

    /** The vision models, created on {@code device}: the trainer, evaluator and predictor follow the model there. */
    static ModelFactory models(Device device) {
        return (name, classes, channels, size) -> {
            Module m = VisionModels.create(name, classes, channels, size);
            m.to(device);
            return m;
        };
    }

    /** "the CPU" or "cuda:0", for the run's opening line. */
    static String describe(Device device) {
        return device.equals(Device.CPU) ? "the CPU" : device.toString();
    }
}
