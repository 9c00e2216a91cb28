package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.nn.Linear;
import dev.ember.nn.utils.ClipGrad;
import dev.ember.optim.lr.CosineAnnealingLR;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An optimizer over a Module's parameters: a small regression trains, and the module sees every update. */
class OptimizerModuleTest {

    @Test
    void adamTrainsALinearModelInPlace() {
        Linear model = new Linear(3, 1, true, DType.FLOAT64);
        List<Tensor> params = model.parameters();
        Adam opt = new Adam(params, Adam.options().lr(0.1));
        var sched = new CosineAnnealingLR(opt, 400);
        // y = x . [1, -2, 0.5] + 0.3 on a fixed batch
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, -1, 2, 0.5, 0.3, -0.7, 2},
                6, 3);
        Tensor y = x.matmul(Tensor.of(DType.FLOAT64, new double[] {1, -2, 0.5}, 3, 1)).add(0.3);
        double first = 0;
        double last = 0;
        for (int i = 0; i < 400; i++) {
            opt.zeroGrad();
            Tensor loss = model.forward(x).sub(y).pow(2.0).mean();
            loss.backward();
            ClipGrad.clipGradNorm(params, 10.0);
            opt.step();
            sched.step();
            if (i == 0) {
                first = loss.item();
            }
            last = loss.item();
        }
        assertSame(params.get(0), model.weight);
        assertSame(params.get(1), model.bias);
        assertTrue(last < 1e-4 * first, "loss " + first + " -> " + last);
        double[] w = model.weight.toDoubleArray();
        assertEquals(1.0, w[0], 1e-2);
        assertEquals(-2.0, w[1], 1e-2);
        assertEquals(0.5, w[2], 1e-2);
        assertEquals(0.3, model.bias.item(), 1e-2);
    }
}
