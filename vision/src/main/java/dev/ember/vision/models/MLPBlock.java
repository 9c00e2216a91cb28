package dev.ember.vision.models;

import dev.ember.nn.Dropout;
import dev.ember.nn.GELU;
import dev.ember.nn.Init;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.Sequential;

/**
 * The transformer MLP of torchvision's ViT ({@code MLPBlock}, an {@code ops.MLP}): Sequential(0 Linear(inDim,
 * mlpDim), 1 GELU, 2 Dropout, 3 Linear(mlpDim, inDim), 4 Dropout), so keys are {@code 0.weight} and
 * {@code 3.weight}. Linear weights start xavier_uniform, biases normal(0, 1e-6), as torchvision.
 * input (*, inDim) -> (*, inDim).
 */
public class MLPBlock extends Sequential {
    public MLPBlock(long inDim, long mlpDim, double dropout) {
        super(new Linear(inDim, mlpDim), new GELU(), new Dropout(dropout), new Linear(mlpDim, inDim),
                new Dropout(dropout));
        for (Module m : modules()) {
            if (m instanceof Linear l) {
                Init.xavierUniform(l.weight);
                Init.normal(l.bias, 0, 1e-6);
            }
        }
    }
}
