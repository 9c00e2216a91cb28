package dev.ember.apps.bench;

import static dev.ember.apps.bench.Workload.fixed;
import static dev.ember.apps.bench.Workload.msLine;

import dev.ember.Ember;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Embedding;
import dev.ember.nn.Flatten;
import dev.ember.nn.LSTM;
import dev.ember.nn.Linear;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.optim.AdamW;
import dev.ember.optim.SGD;
import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import dev.ember.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The workloads of {@code shared/bench/torch_cpu_reference.py} (and, on CUDA, torch_gpu_reference.py), in its
 * order, with its shapes, models, optimizers, warm-up counts and numbers of timed runs; the scalar neuron stays on
 * the CPU on every device, as in the GPU script. Each Python line has its Java twin beside it in the comments.
 */
final class Workloads {

    private Workloads() {}

    static List<Workload> all() {
        return all(Device.CPU, false);
    }

    /**
     * The workloads with models and data on {@code device}. On CUDA the list follows torch_gpu_reference.py: sgemm
     * up to n=8192 (20 timed runs each), then the training steps, then the reduced-precision GEMMs. With
     * {@code capturable}, Adam and AdamW are built {@code capturable(true)}, as torch_gpu_graphs_reference.py builds
     * them for both of its columns ({@code ember bench --cuda-graphs}).
     */
    static List<Workload> all(Device device, boolean capturable) {
        boolean cuda = !device.equals(Device.CPU);
        List<Workload> list = new ArrayList<>();
        for (int n : cuda ? new int[] {256, 512, 1024, 2048, 4096, 8192} : new int[] {256, 512, 1024, 2048}) {
            list.add(sgemm(n, device, cuda ? 20 : n == 2048 ? 5 : 20));
        }
        list.add(mlp(device));
        list.add(lenet(device, capturable));
        list.add(conv(device));
        list.add(lstm(device, capturable));
        list.add(charGpt(device, capturable));
        list.add(matrixFactorization(device, capturable));
        list.add(scalarNeuron());
        if (cuda) {
            for (int n : new int[] {4096, 8192}) {
                list.add(reducedGemm("sgemm_tf32", "high", n, device));
                list.add(reducedGemm("gemm_bf16", "medium", n, device));
            }
        }
        return list;
    }

    /** {@code a @ b} for two (n, n) float32 randn matrices; GFLOPS = 2 n^3 / time. */
    static Workload sgemm(int n, Device device, int reps) {
        return new Workload("sgemm_n" + n, "sgemm", 3, reps, () -> {
            Tensor a = Tensor.randn(n, n).to(device);
            Tensor b = Tensor.randn(n, n).to(device);
            return () -> a.matmul(b);
        }, ms -> "sgemm n=" + n + " ms=" + fixed(ms, 3) + " GFLOPS=" + fixed(2.0 * n * n * n / ms / 1e6, 1));
    }

    /**
     * The GPU script's TF32 and BF16 products, as Ember offers them: float32 tensors multiplied with
     * {@code Ember.setFloat32MatmulPrecision("high")} (TF32 tensor cores) or {@code "medium"} (inputs rounded to
     * bfloat16, float32 accumulation). PyTorch's BF16 line multiplies bfloat16 tensors, which read half the bytes.
     */
    static Workload reducedGemm(String name, String precision, int n, Device device) {
        return new Workload(name + "_n" + n, name, 3, 20, () -> {
            Tensor a = Tensor.randn(n, n).to(device);
            Tensor b = Tensor.randn(n, n).to(device);
            return () -> {
                String before = Ember.getFloat32MatmulPrecision();
                Ember.setFloat32MatmulPrecision(precision);
                try {
                    a.matmul(b);
                } finally {
                    Ember.setFloat32MatmulPrecision(before);
                }
            };
        }, ms -> name + " n=" + n + " ms=" + fixed(ms, 3) + " GFLOPS=" + fixed(2.0 * n * n * n / ms / 1e6, 1));
    }

    /** MLP 784-256-10, batch 64, cross-entropy, SGD(lr=0.01). */
    static Workload mlp(Device device) {
        String name = "mlp784_256_10_b64_train_step";
        return new Workload(name, name, 3, 50, () -> {
            var mlp = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
            mlp.to(device);
            var opt = new SGD(mlp.parameters(), 0.01);
            Tensor x = Tensor.randn(64, 784).to(device);
            Tensor y = Tensor.randint(0, 10, 64).to(device);
            return () -> {
                opt.zeroGrad();
                F.crossEntropy(mlp.forward(x), y).backward();
                opt.step();
            };
        }, msLine(name));
    }

    /** LeNet-5 style CNN on (64, 1, 28, 28), cross-entropy, Adam(lr=1e-3). */
    static Workload lenet(Device device, boolean capturable) {
        String name = "lenet_b64_train_step";
        return new Workload(name, name, 3, 30, () -> {
            var cnn = new Sequential(new Conv2d(1, 6, 5, 1, 2), new ReLU(), new MaxPool2d(2),
                    new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2), new Flatten(),
                    new Linear(400, 120), new ReLU(), new Linear(120, 84), new ReLU(), new Linear(84, 10));
            cnn.to(device);
            var opt = new Adam(cnn.parameters(), Adam.options().lr(1e-3).capturable(capturable));
            Tensor x = Tensor.randn(64, 1, 28, 28).to(device);
            Tensor y = Tensor.randint(0, 10, 64).to(device);
            return () -> {
                opt.zeroGrad();
                F.crossEntropy(cnn.forward(x), y).backward();
                opt.step();
            };
        }, msLine(name));
    }

    /** Conv2d(64, 64, 3, padding=1) forward on (32, 64, 32, 32); GFLOPS counts 2 * N * C_out * C_in * 9 * H * W. */
    static Workload conv(Device device) {
        String name = "conv64x64_3x3_32x32_b32_fwd";
        double flops = 2.0 * 32 * 64 * 64 * 9 * 32 * 32;
        return new Workload(name, name, 3, 10, () -> {
            var conv = new Conv2d(64, 64, 3, 1, 1);
            conv.to(device);
            Tensor x = Tensor.randn(32, 64, 32, 32).to(device);
            return () -> conv.forward(x);
        }, ms -> name + " ms=" + fixed(ms, 3) + " GFLOPS=" + fixed(flops / ms / 1e6, 1));
    }

    /** LSTM(32, 128, batch_first) over (32, 64, 32), Linear(128, 1) on the last step, MSE, Adam(lr=1e-3). */
    static Workload lstm(Device device, boolean capturable) {
        String name = "lstm_s64_b32_h128_train_step";
        return new Workload(name, name, 3, 20, () -> {
            var lstm = new LSTM(32, 128, 1, true, true, 0, false);
            lstm.to(device);
            var head = new Linear(128, 1);
            head.to(device);
            List<Tensor> params = new ArrayList<>(lstm.parameters());
            params.addAll(head.parameters());
            var opt = new Adam(params, Adam.options().lr(1e-3).capturable(capturable));
            Tensor xs = Tensor.randn(32, 64, 32).to(device);
            Tensor ys = Tensor.randn(32, 1).to(device);
            return () -> {
                opt.zeroGrad();
                Tensor out = lstm.forward(xs).output();
                F.mseLoss(head.forward(out.select(1, -1)), ys).backward();
                opt.step();
            };
        }, msLine(name));
    }

    /** Char GPT (4 layers, d 128, 4 heads, context 64, vocab 65), batch 32, cross-entropy, AdamW(lr=3e-4). */
    static Workload charGpt(Device device, boolean capturable) {
        String name = "chargpt_L4_d128_T64_b32_train_step";
        return new Workload(name, name, 3, 10, () -> {
            var gpt = new CharGpt(65, 128, 4, 4, 64);
            gpt.to(device);
            var opt = new AdamW(gpt.parameters(), AdamW.options().lr(3e-4).capturable(capturable));
            Tensor idx = Tensor.randint(0, 65, 32, 64).to(device);
            Tensor tgt = Tensor.randint(0, 65, 32, 64).to(device);
            return () -> {
                opt.zeroGrad();
                F.crossEntropy(gpt.forward(idx).view(-1, 65), tgt.view(-1)).backward();
                opt.step();
            };
        }, ms -> name + " ms=" + fixed(ms, 3) + " tokens_per_s=" + fixed(32 * 64 / ms * 1e3, 0));
    }

    /** Matrix factorisation: Embedding(1000, 32) and (2000, 32), batch 1024, MSE on dot products, Adam(lr=1e-2). */
    static Workload matrixFactorization(Device device, boolean capturable) {
        String name = "mf_b1024_d32_train_step";
        return new Workload(name, name, 3, 50, () -> {
            var users = new Embedding(1000, 32);
            users.to(device);
            var items = new Embedding(2000, 32);
            items.to(device);
            List<Tensor> params = new ArrayList<>(users.parameters());
            params.addAll(items.parameters());
            var opt = new Adam(params, Adam.options().lr(1e-2).capturable(capturable));
            Tensor uu = Tensor.randint(0, 1000, 1024).to(device);
            Tensor ii = Tensor.randint(0, 2000, 1024).to(device);
            Tensor rr = Tensor.rand(1024).mul(5.0).to(device);
            return () -> {
                opt.zeroGrad();
                F.mseLoss(users.forward(uu).mul(items.forward(ii)).sum(1, false), rr).backward();
                opt.step();
            };
        }, msLine(name));
    }

    /** The seed's scalar neuron, tanh(x1 w1 + x2 w2 + b), built and differentiated in float64: autograd overhead. */
    static Workload scalarNeuron() {
        String name = "scalar_neuron_fwd_bwd";
        return new Workload(name, name, 200, 2000, () -> () -> {
            Tensor x1 = scalar64(2.0);
            Tensor x2 = scalar64(0.0);
            Tensor w1 = scalar64(-3.0);
            Tensor w2 = scalar64(1.0);
            Tensor b = scalar64(6.8813735870195432);
            x1.mul(w1).add(x2.mul(w2)).add(b).tanh().backward();
        }, ms -> name + " us=" + fixed(ms * 1e3, 1));
    }

    /** {@code torch.tensor([v], dtype=torch.float64, requires_grad=True)}. */
    private static Tensor scalar64(double v) {
        return Tensor.of(DType.FLOAT64, new double[] {v}, 1).requiresGrad(true);
    }
}
