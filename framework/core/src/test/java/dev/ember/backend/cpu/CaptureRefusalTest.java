package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.nn.Linear;
import dev.ember.optim.Adagrad;
import dev.ember.optim.Adam;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What the optimizers refuse while their device records a graph (without a GPU: an emulated cuda:0 whose backend
 * says it is capturing when the test wants). A captured step would redo or freeze these at every replay: an
 * optimizer's first step (it creates state), Adam without capturable (its step count is a host number), SGD's first
 * momentum step, Adagrad's decayed rate. Everything else runs.
 */
class CaptureRefusalTest {

    /** Runs {@code body} with an emulated cuda:0 that reports capturing while {@code capturing} is set. */
    private static void withDevice(AtomicBoolean capturing, Runnable body) {
        CpuBackend cpu = new CpuBackend(Device.cuda());
        Backend device = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("isCapturing")) {
                        return capturing.get();
                    }
                    try {
                        return m.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Backends.register(device);
        try {
            body.run();
        } finally {
            Backends.unregister(device);
        }
    }

    /** One step of {@code make}'s optimizer over a Linear on the device. */
    private static Runnable stepper(Function<Linear, Optimizer<?>> make) {
        Linear lin = new Linear(3, 2);
        lin.to(Device.cuda());
        Optimizer<?> opt = make.apply(lin);
        Tensor x = Tensor.ones(4, 3).to(Device.cuda());
        return () -> {
            opt.zeroGrad();
            lin.forward(x).sum().backward();
            opt.step();
        };
    }

    private static void refused(AtomicBoolean capturing, Runnable step, String why) {
        capturing.set(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, step::run);
        assertTrue(e.getMessage().contains(why) && e.getMessage().contains("cannot be captured"), e.getMessage());
        capturing.set(false);
    }

    @Test
    void stepsThatAReplayWouldGetWrongAreRefused() {
        AtomicBoolean capturing = new AtomicBoolean();
        withDevice(capturing, () -> {
            Runnable adam = stepper(l -> new Adam(l.parameters(), Adam.options().lr(0.1)));
            refused(capturing, adam, "the first step");
            adam.run();
            refused(capturing, adam, "capturable(false)");

            Runnable capturable = stepper(l -> new Adam(l.parameters(), Adam.options().lr(0.1).capturable(true)));
            capturable.run();
            capturing.set(true);
            assertDoesNotThrow(capturable::run, "a capturable Adam with its state");
            capturing.set(false);

            Runnable sgd = stepper(l -> new SGD(l.parameters(), SGD.options().lr(0.1)));
            sgd.run();
            capturing.set(true);
            assertDoesNotThrow(sgd::run, "plain SGD after a step");
            capturing.set(false);

            Runnable momentum = stepper(l -> new SGD(l.parameters(), SGD.options().lr(0.1).momentum(0.9)));
            refused(capturing, momentum, "the first step");

            Runnable adagrad = stepper(l -> new Adagrad(l.parameters(), Adagrad.options().lr(0.1).lrDecay(0.01)));
            adagrad.run();
            refused(capturing, adagrad, "lr_decay");
        });
    }
}
