package dev.ember.backend;

import dev.ember.tensor.Device;

/**
 * A recorded sequence of device work, replayed with one call: PyTorch's {@code torch.cuda.CUDAGraph}. Capturing a
 * training step once and replaying it removes the host's cost per op (tensor bookkeeping, autograd, kernel
 * launches), which dominates small models on a GPU.
 *
 * <pre>{@code
 * for (int i = 0; i < 3; i++) { opt.zeroGrad(); lossOf(model, x, y).backward(); opt.step(); } // warm up: state exists
 * opt.zeroGrad();
 * Tensor[] loss = new Tensor[1];
 * try (DeviceGraph g = DeviceGraph.capture(Device.cuda(), () -> {
 *     loss[0] = lossOf(model, x, y);
 *     loss[0].backward();
 *     opt.step();
 * })) {
 *     for (...) { x.copyi(nextBatch); g.replay(); }   // loss[0] holds each replay's loss
 * }
 * }</pre>
 *
 * <p>The same rules as PyTorch's: capture records the device work and runs none of it. Inputs are "static":
 * replays read the tensors the capture read (copy new data into them), and write the tensors the capture
 * created (the loss, the gradients), whose memory belongs to the graph. Host values are frozen into the graph
 * (a learning rate, a Java number); Adam needs {@code capturable(true)} so that its step count lives on the
 * device. During capture nothing may be read to the host ({@code item()}, printing) or copied from it, and
 * optimizer state must already exist (run a few eager steps first). Random numbers (dropout, {@code rand}) are
 * drawn anew at every replay from the default generator, which each replay advances: a replay after
 * {@code Ember.manualSeed(s)} draws what the same code run eagerly draws after it. Re-seeding during capture is
 * refused.
 */
public interface DeviceGraph extends AutoCloseable {

    /** Records everything {@code work} queues on {@code device} into a graph, without running it. */
    static DeviceGraph capture(Device device, Runnable work) {
        return Backends.forDevice(device).capture(device, work);
    }

    /** Runs the recorded work again, asynchronously (a later host read or {@code synchronize} waits for it). */
    void replay();

    /** Frees the graph; memory of tensors it created returns to the device's cache once they are unreachable. */
    @Override
    void close();
}
