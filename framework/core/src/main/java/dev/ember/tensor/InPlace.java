package dev.ember.tensor;

import dev.ember.backend.BinaryOp;
import java.util.Arrays;

/**
 * In-place ops ({@code addi}, {@code subi}, {@code muli}, {@code divi}, {@code zeroi}, {@code filli},
 * {@code copyi}). Every write bumps the storage's version, so backward notices if a tensor it saved was
 * overwritten. When the graph is recorded, the tensor's history is rebased as in PyTorch: the op is recorded
 * on a snapshot of the old values (which carries the old grad_fn), and the tensor takes the new grad_fn.
 */
final class InPlace {
    private InPlace() {
    }

    static Tensor binary(String name, BinaryOp op, Tensor self, Tensor unaligned) {
        Tensor other = Devices.align(name, unaligned, self.device());
        DType rt = Elementwise.binaryResultType(op, self, other);
        if (!DType.canCast(rt, self.dtype())) {
            throw new IllegalArgumentException(name + ": result type " + rt.torchName()
                    + " can't be cast to the desired output type " + self.dtype().torchName());
        }
        int[] shape = Shapes.broadcast(name, self.shape, other.shape);
        if (!Arrays.equals(shape, self.shape)) {
            throw new IllegalArgumentException(name + ": output with shape " + Shapes.str(self.shape)
                    + " doesn't match the broadcast shape " + Shapes.str(shape));
        }
        checkWritable(name, self);
        if (Tensor.gradRecording(self, other)) {
            Tensor old = snapshot(name, self);
            Tensor r = Elementwise.binary(op, old, other).to(self.dtype());
            write(self, r);
            self.gradFn = r.gradFn;
            self.requiresGrad = true;
            return self;
        }
        if (rt == self.dtype() && other.storage != self.storage) {
            self.backend().binary(op, self.strided(), Elementwise.prepare(other, rt, shape).strided(), self.strided());
            self.storage.bumpVersion();
        } else {
            write(self, Elementwise.compute(op, self, other, rt));
        }
        return self;
    }

    static Tensor fill(String name, Tensor self, double value) {
        checkWritable(name, self);
        if (Tensor.gradRecording(self)) {
            Tensor old = snapshot(name, self);
            self.backend().fill(self.strided(), value);
            self.storage.bumpVersion();
            // the old values no longer matter: their gradient is zero (as PyTorch's fill_ gives)
            Graph.record("FillBackward0", self, old, Graph.NONE, g -> new Tensor[] {Tensor.zerosLike(g)});
            return self;
        }
        self.backend().fill(self.strided(), value);
        self.storage.bumpVersion();
        return self;
    }

    static Tensor copy(Tensor self, Tensor from) {
        Tensor src = Devices.to(from, self.device()); // copy_ moves data between devices, as in PyTorch
        int[] shape = Shapes.broadcast("copyi", self.shape, src.shape);
        if (!Arrays.equals(shape, self.shape)) {
            throw new IllegalArgumentException("copyi: source of shape " + Shapes.str(src.shape)
                    + " cannot be broadcast to the destination's shape " + Shapes.str(self.shape));
        }
        checkWritable("copyi", self);
        if (Tensor.gradRecording(self, src)) {
            Tensor old = snapshot("copyi", self);
            Tensor r = src.to(self.dtype()).expand(self.shape());
            write(self, r);
            Graph.record("CopyBackwards", self, new Tensor[] {old, src}, Graph.NONE, g -> new Tensor[] {Tensor.zerosLike(g), g});
            return self;
        }
        write(self, Elementwise.prepare(src, self.dtype(), shape));
        return self;
    }

    private static void write(Tensor self, Tensor values) {
        self.backend().copy(values.strided(), self.strided());
        self.storage.bumpVersion();
    }

    /** The pre-update values with the pre-update graph edge, for recording the op out of place. */
    private static Tensor snapshot(String name, Tensor self) {
        if (self.requiresGrad && self.gradFn == null) {
            throw new IllegalStateException(name + ": a leaf tensor that requires grad is being used in an in-place "
                    + "operation (shape " + Shapes.str(self.shape) + "); do it inside Autograd.noGrad() or on a clone()");
        }
        if (self.base != null) {
            throw new IllegalStateException(name + ": in-place operations on a view while gradients are recorded are "
                    + "not supported (shape " + Shapes.str(self.shape) + "); apply the op out of place, or on the base "
                    + "tensor");
        }
        Tensor old = Views.copyOf(self, self.dtype());
        old.gradFn = self.gradFn;
        old.requiresGrad = self.requiresGrad;
        return old;
    }

    private static void checkWritable(String name, Tensor self) {
        for (int d = 0; d < self.dim(); d++) {
            if (self.strides[d] == 0 && self.shape[d] > 1) {
                throw new IllegalArgumentException(name + ": unsupported operation: more than one element of the "
                        + "written-to tensor (shape " + Shapes.str(self.shape) + ", stride " + Shapes.str(self.strides)
                        + ") refers to a single memory location; call clone() first");
            }
        }
    }
}
