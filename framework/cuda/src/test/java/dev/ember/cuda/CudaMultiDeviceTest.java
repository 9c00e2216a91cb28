package dev.ember.cuda;

import static dev.ember.cuda.GpuCheck.assertClose;
import static dev.ember.cuda.GpuCheck.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.backend.DeviceGraph;
import dev.ember.nn.Linear;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.functional.F;
import dev.ember.optim.SGD;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Devices other than cuda:0: ops run on their operands' device, tensors move between devices (a peer copy) with
 * gradients flowing back, mixing devices is an error, training and graph capture work on cuda:1, and memory is
 * counted per device. The emulated run has two devices (framework/cuda/pom.xml); on a one-GPU machine all but the
 * missing-device test skip.
 */
@Tag("gpu")
class CudaMultiDeviceTest {
    private static final Device CUDA1 = Device.cuda(1);

    @BeforeAll
    static void gpu() {
        GpuCheck.requireGpu();
    }

    @Test
    void aMissingDeviceIsAClearError() {
        int n = Cuda.deviceCount();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2).to(Device.cuda(n)));
        assertTrue(e.getMessage().contains("there is no device cuda:" + n + " (this machine has " + n + " CUDA devic"),
                e.getMessage());
    }

    @Test
    void opsRunOnTheOperandsDevice() {
        GpuCheck.requireTwoDevices();
        System.gc(); // storages of earlier tests released now, not while this one counts
        long on0 = Cuda.memoryAllocated(0);
        Tensor a = randn(1, DType.FLOAT32, 37, 19);
        Tensor b = randn(2, DType.FLOAT32, 19, 23);
        Tensor a1 = a.to(CUDA1).requiresGrad(true);
        Tensor b1 = b.to(CUDA1).requiresGrad(true);
        long on1 = Cuda.memoryAllocated(1);
        assertTrue(on1 >= 4L * (37 * 19 + 19 * 23), "cuda:1 holds a and b: " + on1);
        Tensor y = F.softmax(a1.matmul(b1).relu(), 1).mul(a1.sum(1, true)).sum();
        y.backward();
        assertEquals(CUDA1, y.device());
        assertEquals(CUDA1, a1.grad().device());
        Tensor ac = a.clone().requiresGrad(true);
        Tensor bc = b.clone().requiresGrad(true);
        Tensor yc = F.softmax(ac.matmul(bc).relu(), 1).mul(ac.sum(1, true)).sum();
        yc.backward();
        assertClose("y", yc, y.cpu(), 1e-4, 1e-4);
        assertClose("a.grad", ac.grad(), a1.grad().cpu(), 1e-4, 1e-4);
        assertClose("b.grad", bc.grad(), b1.grad().cpu(), 1e-4, 1e-4);
        assertTrue(Cuda.memoryAllocated(0) <= on0, "nothing new on cuda:0: " + on0 + " -> " + Cuda.memoryAllocated(0));
    }

    @Test
    void mixingDevicesIsAnError() {
        GpuCheck.requireTwoDevices();
        Tensor a = Tensor.ones(3).cuda();
        Tensor b = Tensor.ones(3).to(CUDA1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().contains("cuda:0 and cuda:1"), e.getMessage());
    }

    @Test
    void movesBetweenDevicesCarryGradientsBack() {
        GpuCheck.requireTwoDevices();
        Tensor x = randn(3, DType.FLOAT64, 4, 5).cuda().requiresGrad(true);
        long copies = CudaRuntime.forDevice(0).kernels.copies();
        Tensor on1 = x.to(CUDA1);
        assertEquals(CUDA1, on1.device());
        assertEquals(copies + 1, CudaRuntime.forDevice(0).kernels.copies(), "one peer copy, not a trip through the host");
        on1.mul(on1).sum().backward();
        assertEquals(Device.cuda(), x.grad().device());
        assertClose("d(x^2)/dx", x.detach().cpu().mul(2), x.grad().cpu(), 1e-12, 1e-12);
        Tensor back = on1.to(Device.cuda()).cpu();
        assertClose("round trip", x.detach().cpu(), back, 0, 0);
    }

    @Test
    void trainingAndGraphCaptureOnTheSecondDevice() {
        GpuCheck.requireTwoDevices();
        Tensor x = randn(4, DType.FLOAT32, 16, 8);
        Tensor y = Tensor.of(DType.INT64, new double[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 16);
        double[] cpu = train(x, y, Device.CPU);
        double[] gpu = train(x, y, CUDA1);
        for (int i = 0; i < cpu.length; i++) {
            assertEquals(cpu[i], gpu[i], 1e-4 * Math.abs(cpu[i]), "loss of step " + i);
        }
    }

    /** Three eager SGD steps, then three replays of one captured step (on a CUDA device); the losses of all six. */
    private static double[] train(Tensor x, Tensor y, Device device) {
        Ember.manualSeed(7);
        Sequential model = new Sequential(new Linear(8, 12), new ReLU(), new Linear(12, 3));
        SGD opt = new SGD(model.parameters(), 0.1);
        model.to(device);
        Tensor xs = x.to(device);
        Tensor ys = y.to(device);
        double[] losses = new double[6];
        boolean cpu = device.equals(Device.CPU);
        for (int i = 0; i < (cpu ? 6 : 3); i++) { // the CPU reference: all six eagerly
            opt.zeroGrad();
            Tensor loss = F.crossEntropy(model.forward(xs), ys);
            loss.backward();
            opt.step();
            losses[i] = loss.item();
        }
        if (!cpu) {
            opt.zeroGrad();
            Tensor[] loss = new Tensor[1];
            try (DeviceGraph g = DeviceGraph.capture(device, () -> {
                loss[0] = F.crossEntropy(model.forward(xs), ys);
                loss[0].backward();
                opt.step();
            })) {
                for (int i = 3; i < 6; i++) {
                    g.replay();
                    losses[i] = loss[0].item();
                }
            }
        }
        return losses;
    }
}
