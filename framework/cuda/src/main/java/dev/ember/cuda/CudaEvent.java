package dev.ember.cuda;

import dev.ember.tensor.Device;

/**
 * A timing event on a GPU's stream, PyTorch's {@code torch.cuda.Event(enable_timing=True)}: recorded between pieces
 * of work, two events give the GPU time between them without a synchronisation per step.
 *
 * <pre>{@code
 * CudaEvent start = CudaEvent.create(), end = CudaEvent.create();
 * start.record();
 * for (int i = 0; i < 100; i++) step();
 * end.record();
 * double ms = start.elapsedTime(end) / 100;   // waits for end, as torch's elapsed_time after synchronize()
 * }</pre>
 *
 * Events hold a driver object: close them when done (try-with-resources), or let the JVM's exit release them.
 */
public final class CudaEvent implements AutoCloseable {
    private final CudaRuntime runtime;
    private Object handle;
    private boolean recorded;

    private CudaEvent(CudaRuntime runtime) {
        this.runtime = runtime;
        this.handle = runtime.driver.createEvent();
    }

    /** An event on cuda:0. */
    public static CudaEvent create() {
        return create(Device.cuda());
    }

    /** An event on {@code device}'s stream. */
    public static CudaEvent create(Device device) {
        if (!device.type().equals("cuda")) {
            throw new IllegalArgumentException("CudaEvent: expected a CUDA device, got " + device);
        }
        return new CudaEvent(CudaRuntime.forDevice(device.index()));
    }

    /** Queues the event on its device's stream: it completes when all work queued before it has. Returns this. */
    public CudaEvent record() {
        open();
        runtime.activate();
        runtime.refuseWhileCapturing("recording a CudaEvent");
        runtime.driver.recordEvent(handle);
        recorded = true;
        return this;
    }

    /**
     * Milliseconds of GPU time from this event to {@code end} (recorded later on the same device), waiting until
     * {@code end} has completed.
     */
    public double elapsedTime(CudaEvent end) {
        open();
        end.open();
        if (!recorded || !end.recorded) {
            throw new IllegalStateException("CudaEvent.elapsedTime: both events must be recorded first ("
                    + (recorded ? "the end event is not" : "this event is not") + ")");
        }
        if (end.runtime != runtime) {
            throw new IllegalArgumentException("CudaEvent.elapsedTime: the events are on cuda:" + runtime.ordinal
                    + " and cuda:" + end.runtime.ordinal + "; both must be on one device");
        }
        runtime.activate();
        runtime.refuseWhileCapturing("waiting for a CudaEvent");
        return runtime.driver.elapsedMs(handle, end.handle);
    }

    private void open() {
        if (handle == null) {
            throw new IllegalStateException("CudaEvent: the event is closed");
        }
    }

    @Override
    public void close() {
        if (handle != null) {
            runtime.activate();
            runtime.driver.destroyEvent(handle);
            handle = null;
        }
    }
}
