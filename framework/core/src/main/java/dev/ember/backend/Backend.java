package dev.ember.backend;

import dev.ember.tensor.DType;
import dev.ember.tensor.Device;
import java.util.List;

/**
 * The contract between tensors and the machine they run on: allocation, copies to and from the host, and a
 * handful of primitive kernels. Every other op is composed from these in {@code dev.ember.tensor}, so a
 * new backend implements this interface and nothing else. The CPU backend is the reference every other
 * backend is tested against.
 *
 * <p>Kernels write into {@code out} views that the caller allocated contiguous with the right shape and
 * dtype; inputs may have any strides (stride 0 for broadcast dimensions). Backends are found through
 * {@link java.util.ServiceLoader}; see {@link Backends}.
 */
public interface Backend {

    /** Short name, e.g. {@code cpu}. */
    String name();

    /** One line for {@code ember info}: what it runs on and with what. */
    String description();

    /** The device type this backend serves ("cpu", "cuda"). */
    String deviceType();

    /** True when the backend can run here (a driver and a device are present). */
    default boolean isAvailable() {
        return true;
    }

    /** Why {@link #isAvailable()} is false (no driver, no device, ...), or null when it is available. */
    default String unavailableReason() {
        return isAvailable() ? null : name() + " is not available";
    }

    /**
     * Waits until every kernel queued so far has finished. Backends that run kernels asynchronously (CUDA) must
     * implement it; results copied to the host by {@link #toHost} are complete without it.
     */
    default void synchronize() {
    }

    /**
     * True while this backend records its work into a graph instead of running it (CUDA stream capture, see
     * {@link DeviceGraph}): nothing can be read from or copied to the device then, and code that creates state
     * on the device (optimizer moments, cached constants) must not run, since every replay would redo it.
     */
    default boolean isCapturing() {
        return false;
    }

    /**
     * Records everything {@code work} queues on {@code device} into a graph, without running it, and returns the
     * graph to replay (see {@link DeviceGraph#capture}). Backends without graphs throw.
     */
    default DeviceGraph capture(Device device, Runnable work) {
        throw new UnsupportedOperationException("graph capture: the " + name() + " backend (device " + device
                + ") runs every op at once and has no graphs; capture needs a CUDA device");
    }

    /**
     * Queues a check that every value of the int64 operand lies in [lo, hi) or equals {@code allowed} (null: no
     * exception), without waiting for the device: the first value that does not is reported as an
     * IllegalArgumentException with {@code String.format(message, value)} at the next synchronisation with the
     * host. False when the backend has no such check; the caller then reads the values and checks them on the host.
     */
    default boolean checkIndices(Strided index, long lo, long hi, Long allowed, String message) {
        return false;
    }

    /** Zero-filled storage of {@code size} elements on {@code device}. */
    Storage allocate(DType dtype, int size, Device device);

    /**
     * Storage for an op's output that its kernel writes completely: the contents are unspecified, which lets a
     * device backend skip the zero fill. Backends whose memory is zeroed anyway (the CPU) inherit this default.
     */
    default Storage allocateUninitialized(DType dtype, int size, Device device) {
        return allocate(dtype, size, device);
    }

    /** Copies a host array ({@code float[]}, {@code double[]}, {@code long[]} or {@code boolean[]}) in. */
    Storage fromHost(Object array, Device device);

    /** A new host array (of the storage's dtype's Java type) holding the storage's elements. */
    Object toHost(Storage storage);

    /**
     * A copy of {@code storage} (one of this backend's) on {@code device}, another device of this backend, made
     * without a trip through host memory (between two GPUs: a peer copy); null where the backend has no such copy,
     * and the caller goes through the host.
     */
    default Storage copyToDevice(Storage storage, Device device) {
        return null;
    }

    /** {@code dst[i] = (dst dtype) src[i]} element by element over the (equal) shapes. */
    void copy(Strided src, Strided dst);

    /** Sets every element of {@code dst} to {@code value} converted to dst's dtype. */
    void fill(Strided dst, double value);

    void unary(UnaryOp op, Strided in, Strided out);

    /** {@code a}, {@code b} and {@code out} have the same (broadcast) shape. */
    void binary(BinaryOp op, Strided a, Strided b, Strided out);

    /**
     * {@code out = op(a, s)}, or {@code op(s, a)} with {@code scalarFirst}: a Java number as the other operand,
     * passed by value (rounded to out's dtype first) instead of as a broadcast device scalar; a and out of one
     * floating dtype and shape. False when not fused here: the tensor layer then runs {@link #binary}, which gives
     * the same result.
     */
    default boolean binaryScalar(BinaryOp op, Strided a, double s, boolean scalarFirst, Strided out) {
        return false;
    }

    /** {@code out} is BOOL. */
    void compare(CompareOp op, Strided a, Strided b, Strided out);

    /** {@code out = cond ? a : b}; cond is BOOL; all of the same (broadcast) shape. */
    void where(Strided cond, Strided a, Strided b, Strided out);

    /** {@code out} has the input's shape with every dim in {@code dims} of size 1. */
    void reduce(ReduceOp op, Strided in, int[] dims, Strided out);

    /** Batched matrix product: a (B, M, K) @ b (B, K, N) -> out (B, M, N), all of one floating dtype. */
    void bmm(Strided a, Strided b, Strided out);

    /**
     * {@code out = a @ b + addend}: a (B, M, K), b (B, K, N), addend a (B, M, N) view of out's dtype that repeats
     * what it broadcasts (stride 0): F.linear's bias per column, a convolution's per row, an attention mask per
     * matrix, added in the product's epilogue. The sum is the same as {@link #bmm} followed by an add. False when
     * not fused here: the tensor layer then runs exactly that.
     */
    default boolean bmmAdd(Strided a, Strided b, Strided addend, Strided out) {
        return false;
    }

    /** out.select(dim, i) = in.select(dim, index[i]); index is INT64, 1-D, validated by the caller. */
    void indexSelect(Strided in, int dim, Strided index, Strided out);

    /** out[i][j][k] = in[i][index[i][j][k]][k] for dim 1 (and likewise for other dims). */
    void gather(Strided in, int dim, Strided index, Strided out);

    /** out[i][index[i][j][k]][k] += src[i][j][k] for dim 1; out is updated in place. */
    void scatterAdd(Strided out, int dim, Strided index, Strided src);

    // ---------------------------------------------------------------- fused kernels (optional)
    //
    // Each of these does in one pass what a composite of the kernels above does in several (DESIGN.md §2). They
    // are optional: the default returns false and the tensor layer then runs the composite, which is also the
    // reference the fused kernel is tested against. Arguments are validated by the caller; a backend may return
    // false for layouts or dtypes it does not handle (e.g. non-contiguous operands).

    /**
     * softmax (or logSoftmax with {@code log}) along the last dim: in and out (R, C), out contiguous. Rows are
     * shifted by their max, so nothing overflows.
     */
    default boolean softmax(Strided in, Strided out, boolean log) {
        return false;
    }

    /**
     * The input gradient of {@link #softmax} from its output y and output gradient gy, all (R, C):
     * {@code gx = y * (gy - sum(gy * y))} for softmax, {@code gx = gy - exp(y) * sum(gy)} for logSoftmax, sums
     * along the last dim.
     */
    default boolean softmaxBackward(Strided out, Strided gradOut, Strided gradIn, boolean log) {
        return false;
    }

    /**
     * Layer normalisation of each row of in (R, D): {@code out = (x - mean) * rstd * weight + bias} with
     * {@code rstd = 1 / sqrt(biased var + eps)}; weight and bias (D) may be null; mean and rstd (R) are written
     * for the backward.
     */
    default boolean layerNorm(Strided in, Strided weight, Strided bias, double eps, Strided out, Strided mean,
                              Strided rstd) {
        return false;
    }

    /**
     * Gradients of {@link #layerNorm}: gradIn (R, D) always, gradWeight and gradBias (D) when not null (weight
     * may be null, meaning 1).
     */
    default boolean layerNormBackward(Strided gradOut, Strided in, Strided weight, Strided mean, Strided rstd,
                                      Strided gradIn, Strided gradWeight, Strided gradBias) {
        return false;
    }

    /**
     * Batch normalisation of x (N, C, L), all operands contiguous and of x's dtype: per channel c over its N*L
     * values. Training: the batch's mean and biased variance, saved into mean and invstd = 1/sqrt(var + eps) (C
     * each), and runningMean/runningVar (nullable) moved by momentum, the variance unbiased (n/(n-1)). Evaluation:
     * runningMean and runningVar are the statistics (saved the same way). y = (x - mean) * invstd * weight + bias
     * (weight, bias nullable). False when not fused here: the tensor layer runs its composite. A backend that fuses
     * this fuses {@link #batchNormBackward} too.
     */
    default boolean batchNorm(Strided x, Strided weight, Strided bias, Strided runningMean, Strided runningVar,
                              boolean training, double momentum, double eps, Strided y, Strided mean,
                              Strided invstd) {
        return false;
    }

    /**
     * {@link #batchNorm}'s gradients from gradOut (N, C, L) and the saved mean and invstd: gradIn (N, C, L), and
     * gradWeight and gradBias (C); each output nullable (not wanted). In training mode the statistics depend on
     * x, which gradIn accounts for.
     */
    default boolean batchNormBackward(Strided gradOut, Strided x, Strided weight, Strided mean, Strided invstd,
                                      boolean training, Strided gradIn, Strided gradWeight, Strided gradBias) {
        return false;
    }

    /**
     * {@code out.select(dim, index[i]) += src.select(dim, i)} for every i (torch's {@code index_add_}, the
     * backward of indexSelect and so of embeddings); index is INT64, 1-D, validated by the caller; repeated
     * indices add up.
     */
    default boolean indexAdd(Strided out, int dim, Strided index, Strided src) {
        return false;
    }

    /**
     * Cross entropy of logits {@code input} (N, C) contiguous and class indices {@code target} (N, int64, each in
     * [0, C) or {@code ignoreIndex}; see checkMessage) in a couple of launches: logp (N, C) = logSoftmax(input);
     * loss = the mean over the rows not ignored of -logp[i, target_i] (reduction 1), their sum (2), or each row's
     * (0: N values, 0 where ignored); count (1 element) = the rows not ignored, kept for the backward. With
     * {@code checkMessage} not null the targets are not range-checked yet: the backend checks them as
     * {@link #checkIndices} would (a bad one raises {@code String.format(checkMessage, value)}) and reads no logp
     * for it. A backend that implements this implements {@link #crossEntropyBackward} too. False (nothing written,
     * nothing checked): the tensor layer checks the targets and runs its composite.
     */
    default boolean crossEntropy(Strided input, Strided target, long ignoreIndex, int reduction, Strided logp,
                                 Strided loss, Strided count, String checkMessage) {
        return false;
    }

    /**
     * The gradient of {@link #crossEntropy}: gradInput (N, C) = (exp(logp) - onehot(target)) times grad / count
     * (mean), grad (sum) or grad_i (none, grad (N) contiguous), and 0 on ignored rows.
     */
    default boolean crossEntropyBackward(Strided logp, Strided target, long ignoreIndex, int reduction, Strided grad,
                                         Strided count, Strided gradInput) {
        return false;
    }

    /**
     * One Adam / AdamW update of a parameter in place, with its state (exp_avg, exp_avg_sq, and max_exp_avg_sq
     * with amsgrad, else null), in the order of operations of the composite update in {@code dev.ember.optim}.
     */
    default boolean adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, Strided maxExpAvgSq,
                             AdamUpdate update) {
        return false;
    }

    /**
     * {@link #adamStep} with the step counter on the device: {@code step} is a 0-dim float64 operand holding t
     * (already advanced), and the kernel derives {@code stepSize = lr / (1 - beta1^t)} and
     * {@code sqrtBiasCorrection2 = sqrt(1 - beta2^t)} from it ({@code update}'s own two are ignored), so a
     * captured step stays right at every replay (PyTorch's {@code capturable=True}).
     */
    default boolean adamStepCapturable(Strided param, Strided grad, Strided expAvg, Strided expAvgSq,
                                       Strided maxExpAvgSq, Strided step, AdamUpdate update) {
        return false;
    }

    /**
     * One Adam / AdamW step of many parameters at once (PyTorch's multi-tensor Adam): entry i holds {param, grad,
     * expAvg, expAvgSq, maxExpAvgSq or null, step or null}, as {@link #adamStep} and {@link #adamStepCapturable}
     * take them. With {@code deviceSteps} every entry's step (0-dim float64) is first advanced by one on the device
     * and gives that entry's bias corrections; otherwise {@code update}'s hold for every entry. False (nothing
     * changed) when the backend has no such kernel: the optimizer then steps each parameter.
     */
    default boolean adamStepMulti(List<Strided[]> entries, AdamUpdate update, boolean deviceSteps) {
        return false;
    }

    /**
     * {@link #sgdStep} for many parameters at once: entry i holds {param, grad, momentumBuffer or null}; never a
     * first momentum step ({@code update.firstStep()} is false). False (nothing changed) without such a kernel.
     */
    default boolean sgdStepMulti(List<Strided[]> entries, SgdUpdate update) {
        return false;
    }

    /**
     * One SGD update of a parameter in place; {@code momentumBuffer} is null without momentum, and on the first
     * step with momentum it is set to the (decayed) gradient.
     */
    default boolean sgdStep(Strided param, Strided grad, Strided momentumBuffer, SgdUpdate update) {
        return false;
    }

    /**
     * The element-wise part of an LSTM cell: with gates = xGates + hGates (N, 4H) split as (i, f, g, o),
     * {@code c' = sigmoid(f) c + sigmoid(i) tanh(g)} and {@code h = sigmoid(o) tanh(c')}; writes hc (N, 2H) = [h, c']
     * and the activated gates (N, 4H) for {@link #lstmCellBackward}. cPrev is (N, H).
     */
    default boolean lstmCell(Strided xGates, Strided hGates, Strided cPrev, Strided hc, Strided gates) {
        return false;
    }

    /**
     * Gradients of {@link #lstmCell}: from gradHc (N, 2H) (of h and c'), the saved gates, cPrev and hc, writes the
     * gradient of the gate pre-activations gradGates (N, 4H) and of cPrev (N, H).
     */
    default boolean lstmCellBackward(Strided gradHc, Strided gates, Strided cPrev, Strided hc, Strided gradGates,
                                     Strided gradCPrev) {
        return false;
    }

    /**
     * A whole LSTM layer's recurrence: for each step t (from L-1 down to 0 with {@code reverse}), the cell of
     * {@link #lstmCell} on xg[t] and {@code h W_hh^T}, h the previous step's (h0 first). xg (L, N, 4H) holds the
     * input projections with both biases; h0, c0 (N, H); wHh (4H, H); writes out (L, N, 2H) = [h_t, c_t] and the
     * activated gates (L, N, 4H). All contiguous, of one floating dtype. False when the backend runs the steps one
     * by one instead (the caller then does).
     */
    default boolean lstmSequence(Strided xg, Strided h0, Strided c0, Strided wHh, boolean reverse, Strided out,
                                 Strided gates) {
        return false;
    }

    /**
     * The backward of {@link #lstmSequence}: from gradOut (L, N, 2H), the gradient of out, and the forward's out and
     * gates, writes the gradients of the gate pre-activations gradGates (L, N, 4H) and of h0 and c0 (N, H).
     */
    default boolean lstmSequenceBackward(Strided gradOut, Strided out, Strided gates, Strided c0, Strided wHh,
                                         boolean reverse, Strided gradGates, Strided gradH0, Strided gradC0) {
        return false;
    }

    /**
     * Scaled dot-product attention in one pass: out = softmax(scale q k^T + bias) v, and lse (N H, L) contiguous, the
     * log-sum-exp of each row of the scaled, biased scores (what the backward recomputes the probabilities from).
     * q and out (N, H, L, D), k and v (N, H, S, D), bias null or (N, H, L, S): any strides (0 broadcasts), a
     * contiguous last dim for all but the bias. One floating dtype. False when this backend has no kernel for these
     * operands (the caller then runs the composite).
     */
    default boolean attention(Strided q, Strided k, Strided v, Strided bias, double scale, Strided out,
                              Strided lse) {
        return false;
    }

    /**
     * The backward of {@link #attention}: from gradOut (N, H, L, D) (contiguous last dim) and the forward's out and
     * lse, writes gradQ (N, H, L, D) and gradK, gradV (N, H, S, D), dense with any strides and a contiguous last
     * dim. The bias gets no gradient.
     */
    default boolean attentionBackward(Strided q, Strided k, Strided v, Strided bias, double scale, Strided out,
                                      Strided lse, Strided gradOut, Strided gradQ, Strided gradK, Strided gradV) {
        return false;
    }

    /**
     * Fills the contiguous floating {@code out} with uniform [0, 1) (or standard normal with {@code normal})
     * numbers from a counter-based generator: the same (seed, offset) gives the same numbers, and a call consumes
     * {@code ceil(numel / 4)} counter values. Backends without such a generator return false and the tensor layer
     * draws the numbers from the CPU generator instead.
     */
    default boolean random(Strided out, boolean normal, long seed, long offset) {
        return false;
    }

    /**
     * im2col in one pass: x (N, C, H, W) -> cols (N, C*kH*kW, oH*oW), both contiguous, cols zero outside the
     * image (PyTorch's {@code F.unfold} layout). The composite in {@code dev.ember.tensor.Unfold} is the reference.
     */
    default boolean im2col(Strided x, Window2d window, Strided cols) {
        return false;
    }

    /** col2im in one pass, the adjoint of {@link #im2col}: x (N, C, H, W) is written (not accumulated). */
    default boolean col2im(Strided cols, Window2d window, Strided x) {
        return false;
    }

    /**
     * A convolution in one node's kernels: y (N, Cout, oH, oW) contiguous = bias (Cout, or null) + x (N, Cin, H, W)
     * correlated with weight (Cout, Cin, kH, kW) over {@code window} (x and weight any strides; one group). False
     * when the backend has no kernel for these operands: the caller then runs im2col and a matrix product.
     */
    default boolean conv2d(Strided x, Strided weight, Strided bias, Window2d window, Strided y) {
        return false;
    }

    /** The input gradient of {@link #conv2d}: gradX (N, Cin, H, W) contiguous from gradY (N, Cout, oH, oW). */
    default boolean conv2dBackwardInput(Strided gradY, Strided weight, Window2d window, Strided gradX) {
        return false;
    }

    /**
     * The weight gradient of {@link #conv2d}, gradWeight (Cout, Cin, kH, kW) contiguous from gradY contiguous, and
     * the bias gradient gradBias (Cout; null when not wanted), the sums of gradY over images and positions.
     */
    default boolean conv2dBackwardWeight(Strided x, Strided gradY, Window2d window, Strided gradWeight,
                                         Strided gradBias) {
        return false;
    }

    /**
     * Max pooling in one pass: x (N, C, H, W) any strides -> out (N, C, oH, oW) and indices (int64, same shape),
     * both contiguous; window positions outside the input are skipped; an index is the flat {@code h*W + w} input
     * position of the window's first maximum (or first NaN), -1 for a window wholly outside the input.
     */
    default boolean maxPool2d(Strided x, Window2d window, Strided out, Strided indices) {
        return false;
    }

    /**
     * The input gradient of {@link #maxPool2d} over the same {@code window}: gradIn (N, C, H, W) contiguous,
     * written (not accumulated).
     */
    default boolean maxPool2dBackward(Strided gradOut, Strided indices, Window2d window, Strided gradIn) {
        return false;
    }

    /**
     * The GRU cell's element-wise part in one pass: gate projections xGates and hGates (N, 3H) (blocks r, z, n)
     * and h (N, H) -> hNew (N, H) = n + z (h - n), r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n +
     * r h_n), saving (r, z, n, h_n) in saved (N, 4H); all with unit stride along the last dim.
     */
    default boolean gruCell(Strided xGates, Strided hGates, Strided h, Strided hNew, Strided saved) {
        return false;
    }

    /** The backward of {@link #gruCell}: gradients of xGates and hGates (N, 3H) and of h (N, H). */
    default boolean gruCellBackward(Strided gradHNew, Strided saved, Strided h, Strided gradXGates,
                                    Strided gradHGates, Strided gradH) {
        return false;
    }

    /**
     * ReLU's gradient in one pass (PyTorch's {@code threshold_backward}): gradIn = out > 0 ? grad : 0, with out
     * the ReLU's output; all contiguous, of one floating dtype. False: the tensor layer's composite runs.
     */
    default boolean reluBackward(Strided out, Strided grad, Strided gradIn) {
        return false;
    }

    /**
     * Exact GELU in one pass, {@code out = x * erfc(-x / sqrt 2) / 2} computed as the composite in
     * {@code dev.ember.nn.functional.Activations} computes it; in and out contiguous, of one floating dtype.
     */
    default boolean gelu(Strided in, Strided out) {
        return false;
    }

    /**
     * The input gradient of {@link #gelu}: {@code gradIn = gradOut * (Phi(x) + x phi(x))}, with Phi the standard
     * normal distribution function and phi its density; all contiguous, of one floating dtype.
     */
    default boolean geluBackward(Strided in, Strided gradOut, Strided gradIn) {
        return false;
    }
}
