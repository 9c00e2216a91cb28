package dev.ember.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments give an IllegalArgumentException that names the op and what was wrong (shapes, dims, dtypes),
 * never an index exception from inside a kernel (DESIGN.md, "Errors are part of the API").
 */
class ErrorMessagesTest {

    private static final Tensor A23 = Tensor.zeros(2, 3);

    /** Asserts an IllegalArgumentException whose message contains every part. */
    private static String rejects(Executable call, String... parts) {
        String m = assertThrows(IllegalArgumentException.class, call).getMessage();
        for (String p : parts) {
            assertTrue(m != null && m.contains(p), () -> "expected \"" + p + "\" in: " + m);
        }
        return m;
    }

    @Test
    void matmulShapes() {
        rejects(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)),
                "matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)");
        rejects(() -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "matmul", "[3]", "[4]");
        rejects(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2)), "matmul", "[2, 3]", "[2]");
        rejects(() -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 4)), "matmul", "[2, 2, 3]", "[3, 3, 4]",
                "batch dimensions [2] and [3]");
        rejects(() -> Tensor.scalar(1).matmul(Tensor.zeros(3)), "matmul", "[]", "[3]");
        rejects(() -> Tensor.zeros(2, 3).mm(Tensor.zeros(3)), "mm", "[2, 3]", "[3]");
        rejects(() -> Tensor.zeros(2, 2, 3).bmm(Tensor.zeros(3, 3, 4)), "bmm", "[2, 2, 3]", "[3, 3, 4]");
        rejects(() -> Tensor.zeros(4).addmm(Tensor.zeros(2, 3), Tensor.zeros(2, 4)), "addmm", "[2, 3]", "[2, 4]");
        rejects(() -> Tensor.zeros(4).addmm(Tensor.zeros(3), Tensor.zeros(3, 4)), "addmm", "2-D", "[3]");
        rejects(() -> Tensor.zeros(5).addmm(Tensor.zeros(2, 3), Tensor.zeros(3, 4)), "addmm", "[5]", "[2, 4]");
        rejects(() -> Tensor.zeros(3, 1).baddbmm(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 5, 4)), "baddbmm", "[2, 3, 4]",
                "[2, 5, 4]");
        rejects(() -> Tensor.zeros(4, 1).baddbmm(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 4, 5)), "baddbmm", "[4, 1]",
                "[2, 3, 5]");
        rejects(() -> Tensor.zeros(2, 2, 3).bmm(Tensor.zeros(2, 2, 4)), "bmm", "[2, 2, 3]", "[2, 2, 4]");
    }

    @Test
    void matmulDTypesMustMatch() {
        // PyTorch: "expected m1 and m2 to have the same dtype" (no promotion in matmul)
        rejects(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(DType.FLOAT64, 3, 2)), "matmul", "torch.float32",
                "torch.float64");
        rejects(() -> Tensor.zeros(1, 2, 3).bmm(Tensor.zeros(DType.FLOAT64, 1, 3, 2)), "bmm", "torch.float64");
    }

    @Test
    void reshapeAndView() {
        rejects(() -> A23.reshape(4, 2), "reshape", "[4, 2]", "6");
        rejects(() -> A23.reshape(-1, -1), "reshape", "[-1, -1]");
        rejects(() -> A23.reshape(-1, 4), "reshape", "[-1, 4]", "6");
        rejects(() -> A23.view(5), "view", "[5]", "6");
        rejects(() -> Tensor.zeros(2, 3).t().view(6), "view", "[6]", "[3, 2]", "reshape");
    }

    @Test
    void dimsOutOfRange() {
        rejects(() -> A23.sum(2, false), "sum", "2", "[-2, 1]");
        rejects(() -> A23.sum(-3, true), "sum", "-3");
        rejects(() -> A23.sum(new int[] {0, -2}, false), "sum", "multiple times");
        rejects(() -> A23.mean(5, false), "mean", "5");
        rejects(() -> A23.max(2, false), "max", "2");
        rejects(() -> A23.transpose(0, 2), "transpose", "2", "[-2, 1]");
        rejects(() -> A23.transpose(-3, 0), "transpose", "-3");
        rejects(() -> A23.softmax(2), "softmax", "2");
        rejects(() -> A23.logSoftmax(-3), "logSoftmax", "-3");
        rejects(() -> A23.select(2, 0), "select", "2");
        rejects(() -> A23.narrow(-3, 0, 1), "narrow", "-3");
        rejects(() -> A23.unsqueeze(3), "unsqueeze", "3", "[-3, 2]");
        rejects(() -> A23.unsqueeze(-4), "unsqueeze", "-4");
        rejects(() -> A23.squeeze(2), "squeeze", "2");
        rejects(() -> A23.flatten(0, 2), "flatten", "2");
        rejects(() -> A23.size(2), "size", "2");
        rejects(() -> A23.argmax(2, false), "argmax", "2");
        rejects(() -> Tensor.stack(List.of(A23, A23), 4), "stack", "4");
        rejects(() -> Tensor.cat(List.of(A23, A23), 2), "cat", "2");
    }

    @Test
    void indicesOutOfRange() {
        rejects(() -> A23.select(0, 2), "select", "index 2", "[2, 3]");
        rejects(() -> A23.select(1, -4), "select", "-4", "[2, 3]");
        rejects(() -> A23.narrow(1, 2, 2), "narrow", "2", "[2, 3]");
        rejects(() -> A23.narrow(0, 0, -1), "narrow");
        rejects(() -> A23.slice(1, 0, 3, 0), "slice", "step");
        rejects(() -> Tensor.scalar(1).select(0, 0), "select", "0-dim");
    }

    @Test
    void broadcasting() {
        rejects(() -> Tensor.zeros(2, 3).add(Tensor.zeros(4)), "add", "[2, 3]", "[4]");
        rejects(() -> Tensor.zeros(2, 3).mul(Tensor.zeros(3, 3)), "mul", "[2, 3]", "[3, 3]");
        rejects(() -> Tensor.zeros(2, 3).lt(Tensor.zeros(2)), "lt", "[2, 3]", "[2]");
        rejects(() -> Tensor.where(Tensor.zeros(DType.BOOL, 2), A23, A23), "where", "[2]", "[2, 3]");
        rejects(() -> A23.expand(3, 3), "expand", "[3, 3]", "[2, 3]");
        rejects(() -> A23.expand(3), "expand", "(1)", "(2)");
        rejects(() -> Tensor.zeros(3).expand(-1, 3), "expand", "-1");
    }

    @Test
    void permute() {
        rejects(() -> A23.permute(0), "permute", "[2, 3]", "[0]");
        rejects(() -> A23.permute(0, 1, 2), "permute", "[0, 1, 2]");
        rejects(() -> A23.permute(1, 1), "permute", "repeat", "[1, 1]");
        rejects(() -> A23.permute(0, -2), "permute", "repeat", "[0, -2]");
    }

    @Test
    void catAndStack() {
        rejects(() -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 4)), 0), "cat", "[2, 3]", "[2, 4]");
        rejects(() -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(3)), 0), "cat", "dimensions");
        rejects(() -> Tensor.cat(List.of(), 0), "cat");
        rejects(() -> Tensor.cat(List.of(Tensor.scalar(1), Tensor.scalar(2)), 0), "cat", "zero-dim");
        rejects(() -> Tensor.stack(List.of(Tensor.zeros(2, 3), Tensor.zeros(3, 2)), 0), "stack", "[2, 3]", "[3, 2]");
        rejects(() -> Tensor.stack(List.of(), 0), "stack");
    }

    @Test
    void splitAndChunk() {
        rejects(() -> A23.split(0, 1), "split", "0");
        rejects(() -> A23.split(new long[] {1, 1}, 1), "split", "[1, 1]", "3");
        rejects(() -> A23.chunk(0, 0), "chunk", "0");
        rejects(() -> Tensor.scalar(1).split(1, 0), "split");
    }

    @Test
    void indexDTypesAndValues() {
        Tensor x = Tensor.zeros(3, 2);
        rejects(() -> x.indexSelect(0, Tensor.of(new double[] {0, 1}, 2)), "indexSelect", "int64", "torch.float32");
        rejects(() -> x.gather(0, Tensor.zeros(DType.BOOL, 1, 2)), "gather", "int64", "torch.bool");
        rejects(() -> x.scatterAdd(0, Tensor.zeros(1, 2), x), "scatterAdd", "int64", "torch.float32");
        rejects(() -> x.indexSelect(0, Tensor.of(new long[] {0, 3}, 2)), "indexSelect", "3", "size 3");
        rejects(() -> x.indexSelect(1, Tensor.of(new long[] {-1}, 1)), "indexSelect", "-1");
        rejects(() -> x.gather(1, Tensor.of(new long[] {0, 2}, 1, 2)), "gather", "2", "size 2");
        rejects(() -> x.gather(0, Tensor.of(new long[] {-1, 0}, 1, 2)), "gather", "-1");
        rejects(() -> x.scatterAdd(0, Tensor.of(new long[] {5, 0}, 1, 2), Tensor.ones(1, 2)), "scatterAdd", "5");
        rejects(() -> x.indexSelect(0, Tensor.zeros(DType.INT64, 2, 2)), "indexSelect", "[2, 2]");
        rejects(() -> x.gather(0, Tensor.zeros(DType.INT64, 2)), "gather", "[2]", "[3, 2]");
        rejects(() -> x.gather(1, Tensor.zeros(DType.INT64, 4, 1)), "gather", "[4, 1]", "[3, 2]");
        rejects(() -> x.scatterAdd(0, Tensor.zeros(DType.INT64, 1, 2), Tensor.ones(DType.FLOAT64, 1, 2)),
                "scatterAdd", "torch.float32", "torch.float64");
    }

    @Test
    void boolConditionAndMask() {
        rejects(() -> Tensor.where(Tensor.ones(2, 3), A23, A23), "where", "bool", "torch.float32");
        rejects(() -> Tensor.where(Tensor.ones(DType.INT64, 2, 3), A23, A23), "where", "torch.int64");
        rejects(() -> A23.maskedFill(Tensor.ones(DType.INT64, 2, 3), 0), "maskedFill", "bool", "torch.int64");
        rejects(() -> A23.maskedFill(Tensor.zeros(DType.BOOL, 4), 0), "maskedFill", "[4]", "[2, 3]");
        rejects(() -> Tensor.zeros(3).maskedFill(Tensor.zeros(DType.BOOL, 2, 3), 0), "maskedFill", "[2, 3]", "[3]");
    }

    @Test
    void dtypeRestrictions() {
        Tensor b = Tensor.of(new boolean[] {true, false}, 2);
        rejects(() -> b.sub(b), "sub", "bool");
        rejects(() -> b.neg(), "neg", "bool");
        rejects(() -> b.exp(), "exp", "bool");
        rejects(() -> b.clamp(0, 1), "clamp", "bool");
        Tensor i = Tensor.of(new long[] {1, 2, 3}, 3);
        rejects(i::mean, "mean", "torch.int64");
        rejects(() -> i.mean(0, false), "mean", "torch.int64");
        rejects(i::var, "var", "torch.int64");
        rejects(i::std, "var", "torch.int64");
        rejects(() -> i.softmax(0), "softmax", "torch.int64");
        rejects(() -> i.logsumexp(0, false), "logsumexp", "torch.int64");
        rejects(() -> i.requiresGrad(true), "requiresGrad", "torch.int64");
        rejects(() -> b.requiresGrad(true), "requiresGrad", "torch.bool");
        rejects(() -> Tensor.rand(DType.INT64, 2), "rand", "torch.int64");
        rejects(() -> Tensor.randn(DType.BOOL, 2), "randn", "torch.bool");
    }

    @Test
    void itemNeedsOneElement() {
        rejects(A23::item, "item", "6", "[2, 3]");
        rejects(() -> Tensor.zeros(0).item(), "item", "0");
    }

    @Test
    void creation() {
        rejects(() -> Tensor.of(new double[] {1, 2, 3, 4, 5}, 2, 3), "Tensor.of", "5", "[2, 3]");
        rejects(() -> Tensor.of(new long[] {1, 2}, 3), "Tensor.of", "2", "[3]");
        rejects(() -> Tensor.of(new boolean[] {true}, 2), "Tensor.of", "[2]");
        rejects(() -> Tensor.of(DType.FLOAT64, new double[] {1}, 1, -1), "-1");
        rejects(() -> Tensor.zeros(2, -1), "zeros", "-1", "[2, -1]");
        rejects(() -> Tensor.ones(DType.FLOAT64, -3), "ones", "-3");
        rejects(() -> Tensor.randint(5, 5, 2), "randint", "low=5", "high=5");
        rejects(() -> Tensor.randint(6, 2, 2), "randint", "low=6", "high=2");
        rejects(() -> Tensor.arange(0, 10, 0), "arange", "step", "0");
        rejects(() -> Tensor.arange(0.0, 1.0, 0.0), "arange", "step");
        rejects(() -> Tensor.arange(0, 10, -1), "arange", "sign");
        rejects(() -> Tensor.linspace(0, 1, -1), "linspace", "-1");
    }

    @Test
    void otherArguments() {
        rejects(() -> Tensor.zeros(2, 3, 4).t(), "t", "3", "[2, 3, 4]");
        rejects(() -> A23.clamp(Double.NaN, Double.NaN), "clamp");
        rejects(() -> A23.setGrad(Tensor.zeros(3)), "setGrad", "[3]", "[2, 3]");
        rejects(() -> A23.copyi(Tensor.zeros(4)), "copyi", "[4]", "[2, 3]");
        rejects(() -> Tensor.zeros(3).expand(2, 3).addi(1.0), "addi", "[2, 3]");
        rejects(() -> Tensor.of(new long[] {2}, 1).pow(-1L), "pow", "negative");
    }

    @Test
    void errorsLeaveOperandsUntouched() {
        Tensor t = Tensor.of(new double[] {1, 2, 3}, 3);
        int v = t.version();
        rejects(() -> t.addi(Tensor.ones(2)), "addi");
        rejects(() -> Tensor.of(new long[] {1, 2, 3}, 3).muli(t), "muli", "can't be cast");
        assertEquals(v, t.version());
        assertArrayEquals(new double[] {1, 2, 3}, t.toDoubleArray(), 0.0);
    }
}
