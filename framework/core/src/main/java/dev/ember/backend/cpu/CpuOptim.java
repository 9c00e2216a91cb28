package dev.ember.backend.cpu;

import dev.ember.backend.AdamUpdate;
import dev.ember.backend.SgdUpdate;
import dev.ember.backend.Strided;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused optimizer updates (PyTorch's {@code _fused_adam_} idea): one pass over parameter, gradient and state
 * instead of about ten element-wise kernels and their temporaries. Each element goes through the same operations
 * in the same order and precision as the composite update in {@code dev.ember.optim} (no FMA, every scalar
 * rounded to the parameter's dtype as a wrapped Java number is), so the two agree bit for bit. Contiguous
 * float32 and float64 operands only; anything else returns false and runs the composite.
 */
final class CpuOptim {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int GRAIN = 16384;

    private CpuOptim() {
    }

    private static boolean usable(Strided... ts) {
        Strided first = ts[0];
        for (Strided t : ts) {
            if (t != null && (t.dtype() != first.dtype() || !t.isContiguous()
                    || !java.util.Arrays.equals(t.shape(), first.shape()))) {
                return false;
            }
        }
        return first.dtype().isFloatingPoint();
    }

    private static Object array(Strided t) {
        return t == null ? null : ((CpuStorage) t.storage()).array();
    }

    private static int off(Strided t) {
        return t == null ? 0 : t.offset();
    }

    static boolean adam(Strided param, Strided grad, Strided m, Strided v, Strided vmax, AdamUpdate u) {
        if (!usable(param, grad, m, v, vmax) || (u.amsgrad() != (vmax != null))) {
            return false;
        }
        int n = param.numel();
        Parallel.parallelFor(0, n, GRAIN, (from, to) -> {
            if (param.dtype() == dev.ember.tensor.DType.FLOAT32) {
                adamF(u, (float[]) array(param), off(param) + from, (float[]) array(grad), off(grad) + from,
                        (float[]) array(m), off(m) + from, (float[]) array(v), off(v) + from,
                        (float[]) array(vmax), off(vmax) + from, to - from);
            } else {
                adamD(u, (double[]) array(param), off(param) + from, (double[]) array(grad), off(grad) + from,
                        (double[]) array(m), off(m) + from, (double[]) array(v), off(v) + from,
                        (double[]) array(vmax), off(vmax) + from, to - from);
            }
        });
        return true;
    }

    private static void adamF(AdamUpdate u, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v,
                              int vo, float[] x, int xo, int n) {
        float b1 = (float) u.beta1();
        float c1 = (float) (1 - u.beta1());
        float b2 = (float) u.beta2();
        float c2 = (float) (1 - u.beta2());
        float wd = (float) u.weightDecay();
        boolean decay = u.weightDecay() != 0;
        boolean decoupled = u.decoupledWeightDecay();
        float shrink = (float) (1 - u.lr() * u.weightDecay());
        float bc2 = (float) u.sqrtBiasCorrection2();
        float eps = (float) u.eps();
        float negStep = (float) -u.stepSize();
        boolean maximize = u.maximize();
        boolean ams = x != null;
        MemorySegment ps = MemorySegment.ofArray(p);
        MemorySegment gs = MemorySegment.ofArray(g);
        MemorySegment ms = MemorySegment.ofArray(m);
        MemorySegment vs = MemorySegment.ofArray(v);
        MemorySegment xs = ams ? MemorySegment.ofArray(x) : null;
        int bound = F.loopBound(n);
        int i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector gv = FloatVector.fromMemorySegment(F, gs, (long) (go + i) << 2, NATIVE);
            FloatVector pv = FloatVector.fromMemorySegment(F, ps, (long) (po + i) << 2, NATIVE);
            if (maximize) {
                gv = gv.neg();
            }
            if (decay) {
                if (decoupled) {
                    pv = pv.mul(shrink);
                } else {
                    gv = gv.add(pv.mul(wd));
                }
            }
            FloatVector mv = FloatVector.fromMemorySegment(F, ms, (long) (mo + i) << 2, NATIVE).mul(b1).add(gv.mul(c1));
            mv.intoMemorySegment(ms, (long) (mo + i) << 2, NATIVE);
            FloatVector vv = FloatVector.fromMemorySegment(F, vs, (long) (vo + i) << 2, NATIVE).mul(b2)
                    .add(gv.mul(c2).mul(gv));
            vv.intoMemorySegment(vs, (long) (vo + i) << 2, NATIVE);
            if (ams) {
                vv = FloatVector.fromMemorySegment(F, xs, (long) (xo + i) << 2, NATIVE).max(vv);
                vv.intoMemorySegment(xs, (long) (xo + i) << 2, NATIVE);
            }
            FloatVector den = vv.sqrt().div(bc2).add(eps);
            pv.add(mv.mul(negStep).div(den)).intoMemorySegment(ps, (long) (po + i) << 2, NATIVE);
        }
        for (; i < n; i++) {
            float gi = maximize ? -g[go + i] : g[go + i];
            float pi = p[po + i];
            if (decay) {
                if (decoupled) {
                    pi = pi * shrink;
                } else {
                    gi = gi + pi * wd;
                }
            }
            float mi = m[mo + i] * b1 + gi * c1;
            m[mo + i] = mi;
            float vi = v[vo + i] * b2 + gi * c2 * gi;
            v[vo + i] = vi;
            if (ams) {
                vi = Math.max(x[xo + i], vi);
                x[xo + i] = vi;
            }
            p[po + i] = pi + mi * negStep / ((float) Math.sqrt(vi) / bc2 + eps);
        }
    }

    private static void adamD(AdamUpdate u, double[] p, int po, double[] g, int go, double[] m, int mo, double[] v,
                              int vo, double[] x, int xo, int n) {
        double b1 = u.beta1();
        double c1 = 1 - u.beta1();
        double b2 = u.beta2();
        double c2 = 1 - u.beta2();
        double wd = u.weightDecay();
        boolean decay = u.weightDecay() != 0;
        boolean decoupled = u.decoupledWeightDecay();
        double shrink = 1 - u.lr() * u.weightDecay();
        double bc2 = u.sqrtBiasCorrection2();
        double eps = u.eps();
        double negStep = -u.stepSize();
        boolean maximize = u.maximize();
        boolean ams = x != null;
        MemorySegment ps = MemorySegment.ofArray(p);
        MemorySegment gs = MemorySegment.ofArray(g);
        MemorySegment ms = MemorySegment.ofArray(m);
        MemorySegment vs = MemorySegment.ofArray(v);
        MemorySegment xs = ams ? MemorySegment.ofArray(x) : null;
        int bound = D.loopBound(n);
        int i = 0;
        for (; i < bound; i += D.length()) {
            DoubleVector gv = DoubleVector.fromMemorySegment(D, gs, (long) (go + i) << 3, NATIVE);
            DoubleVector pv = DoubleVector.fromMemorySegment(D, ps, (long) (po + i) << 3, NATIVE);
            if (maximize) {
                gv = gv.neg();
            }
            if (decay) {
                if (decoupled) {
                    pv = pv.mul(shrink);
                } else {
                    gv = gv.add(pv.mul(wd));
                }
            }
            DoubleVector mv = DoubleVector.fromMemorySegment(D, ms, (long) (mo + i) << 3, NATIVE).mul(b1)
                    .add(gv.mul(c1));
            mv.intoMemorySegment(ms, (long) (mo + i) << 3, NATIVE);
            DoubleVector vv = DoubleVector.fromMemorySegment(D, vs, (long) (vo + i) << 3, NATIVE).mul(b2)
                    .add(gv.mul(c2).mul(gv));
            vv.intoMemorySegment(vs, (long) (vo + i) << 3, NATIVE);
            if (ams) {
                vv = DoubleVector.fromMemorySegment(D, xs, (long) (xo + i) << 3, NATIVE).max(vv);
                vv.intoMemorySegment(xs, (long) (xo + i) << 3, NATIVE);
            }
            DoubleVector den = vv.sqrt().div(bc2).add(eps);
            pv.add(mv.mul(negStep).div(den)).intoMemorySegment(ps, (long) (po + i) << 3, NATIVE);
        }
        for (; i < n; i++) {
            double gi = maximize ? -g[go + i] : g[go + i];
            double pi = p[po + i];
            if (decay) {
                if (decoupled) {
                    pi = pi * shrink;
                } else {
                    gi = gi + pi * wd;
                }
            }
            double mi = m[mo + i] * b1 + gi * c1;
            m[mo + i] = mi;
            double vi = v[vo + i] * b2 + gi * c2 * gi;
            v[vo + i] = vi;
            if (ams) {
                vi = Math.max(x[xo + i], vi);
                x[xo + i] = vi;
            }
            p[po + i] = pi + mi * negStep / (Math.sqrt(vi) / bc2 + eps);
        }
    }

    static boolean sgd(Strided param, Strided grad, Strided buf, SgdUpdate u) {
        if (!usable(param, grad, buf) || (u.momentum() != 0) != (buf != null)) {
            return false;
        }
        int n = param.numel();
        Parallel.parallelFor(0, n, GRAIN, (from, to) -> {
            if (param.dtype() == dev.ember.tensor.DType.FLOAT32) {
                sgdF(u, (float[]) array(param), off(param) + from, (float[]) array(grad), off(grad) + from,
                        (float[]) array(buf), off(buf) + from, to - from);
            } else {
                sgdD(u, (double[]) array(param), off(param) + from, (double[]) array(grad), off(grad) + from,
                        (double[]) array(buf), off(buf) + from, to - from);
            }
        });
        return true;
    }

    private static void sgdF(SgdUpdate u, float[] p, int po, float[] g, int go, float[] b, int bo, int n) {
        float wd = (float) u.weightDecay();
        boolean decay = u.weightDecay() != 0;
        float mom = (float) u.momentum();
        float damp = (float) (1 - u.dampening());
        float negLr = (float) -u.lr();
        boolean maximize = u.maximize();
        boolean momentum = b != null;
        boolean first = u.firstStep();
        boolean nesterov = u.nesterov();
        MemorySegment ps = MemorySegment.ofArray(p);
        MemorySegment gs = MemorySegment.ofArray(g);
        MemorySegment bs = momentum ? MemorySegment.ofArray(b) : null;
        int bound = F.loopBound(n);
        int i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector gv = FloatVector.fromMemorySegment(F, gs, (long) (go + i) << 2, NATIVE);
            FloatVector pv = FloatVector.fromMemorySegment(F, ps, (long) (po + i) << 2, NATIVE);
            if (maximize) {
                gv = gv.neg();
            }
            if (decay) {
                gv = gv.add(pv.mul(wd));
            }
            if (momentum) {
                FloatVector bv = first ? gv
                        : FloatVector.fromMemorySegment(F, bs, (long) (bo + i) << 2, NATIVE).mul(mom).add(gv.mul(damp));
                bv.intoMemorySegment(bs, (long) (bo + i) << 2, NATIVE);
                gv = nesterov ? gv.add(bv.mul(mom)) : bv;
            }
            pv.add(gv.mul(negLr)).intoMemorySegment(ps, (long) (po + i) << 2, NATIVE);
        }
        for (; i < n; i++) {
            float gi = maximize ? -g[go + i] : g[go + i];
            float pi = p[po + i];
            if (decay) {
                gi = gi + pi * wd;
            }
            if (momentum) {
                float bi = first ? gi : b[bo + i] * mom + gi * damp;
                b[bo + i] = bi;
                gi = nesterov ? gi + bi * mom : bi;
            }
            p[po + i] = pi + gi * negLr;
        }
    }

    private static void sgdD(SgdUpdate u, double[] p, int po, double[] g, int go, double[] b, int bo, int n) {
        double wd = u.weightDecay();
        boolean decay = u.weightDecay() != 0;
        double mom = u.momentum();
        double damp = 1 - u.dampening();
        double negLr = -u.lr();
        boolean maximize = u.maximize();
        boolean momentum = b != null;
        boolean first = u.firstStep();
        boolean nesterov = u.nesterov();
        MemorySegment ps = MemorySegment.ofArray(p);
        MemorySegment gs = MemorySegment.ofArray(g);
        MemorySegment bs = momentum ? MemorySegment.ofArray(b) : null;
        int bound = D.loopBound(n);
        int i = 0;
        for (; i < bound; i += D.length()) {
            DoubleVector gv = DoubleVector.fromMemorySegment(D, gs, (long) (go + i) << 3, NATIVE);
            DoubleVector pv = DoubleVector.fromMemorySegment(D, ps, (long) (po + i) << 3, NATIVE);
            if (maximize) {
                gv = gv.neg();
            }
            if (decay) {
                gv = gv.add(pv.mul(wd));
            }
            if (momentum) {
                DoubleVector bv = first ? gv
                        : DoubleVector.fromMemorySegment(D, bs, (long) (bo + i) << 3, NATIVE).mul(mom)
                                .add(gv.mul(damp));
                bv.intoMemorySegment(bs, (long) (bo + i) << 3, NATIVE);
                gv = nesterov ? gv.add(bv.mul(mom)) : bv;
            }
            pv.add(gv.mul(negLr)).intoMemorySegment(ps, (long) (po + i) << 3, NATIVE);
        }
        for (; i < n; i++) {
            double gi = maximize ? -g[go + i] : g[go + i];
            double pi = p[po + i];
            if (decay) {
                gi = gi + pi * wd;
            }
            if (momentum) {
                double bi = first ? gi : b[bo + i] * mom + gi * damp;
                b[bo + i] = bi;
                gi = nesterov ? gi + bi * mom : bi;
            }
            p[po + i] = pi + gi * negLr;
        }
    }
}
