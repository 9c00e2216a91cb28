package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.io.Checkpoint;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flat optimizer state dict survives a safetensors checkpoint (dev.ember.io.Checkpoint) unchanged. */
class OptimizerCheckpointTest {

    @Test
    void adamStateThroughACheckpointFile(@TempDir Path dir) throws Exception {
        Tensor w = Tensor.of(DType.FLOAT32, new double[] {0.5, -1, 2, 0.25}, 2, 2).requiresGrad(true);
        Tensor b = Tensor.of(DType.FLOAT64, new double[] {1, -2}, 2).requiresGrad(true);
        Adam opt = new Adam(List.of(w), Adam.options().lr(0.01).amsgrad(true));
        opt.addParamGroup(List.of(b), o -> o.lr(0.1).betas(0.5, 0.6));
        for (int step = 0; step < 2; step++) {
            w.setGrad(Tensor.of(new double[] {0.1 * step, -0.2, 0.3, 0.4}, 2, 2));
            b.setGrad(Tensor.of(DType.FLOAT64, new double[] {-1, 0.5 + step}, 2));
            opt.step();
        }
        Path file = dir.resolve("ck.safetensors");
        Checkpoint.save(file, Map.of("w", w.detach(), "b", b.detach()), opt.stateDict(), 0, 2, null, Map.of());
        Checkpoint ck = Checkpoint.load(file);

        Tensor w2 = ck.modelState().get("w").clone().requiresGrad(true);
        Tensor b2 = ck.modelState().get("b").clone().requiresGrad(true);
        Adam fresh = new Adam(List.of(w2));
        fresh.addParamGroup(List.of(b2));
        fresh.loadStateDict(ck.optimizerState());
        assertEquals(0.1, fresh.paramGroups().get(1).lr());
        assertEquals(0.5, fresh.paramGroups().get(1).options().beta1());
        for (Tensor[] pair : new Tensor[][] {{w, w2}, {b, b2}}) {
            pair[0].setGrad(Tensor.onesLike(pair[0]));
            pair[1].setGrad(Tensor.onesLike(pair[1]));
        }
        opt.step();
        fresh.step();
        assertArrayEquals(w.toDoubleArray(), w2.toDoubleArray());
        assertArrayEquals(b.toDoubleArray(), b2.toDoubleArray());
    }
}
