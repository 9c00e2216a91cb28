package dev.ember.io;

import dev.ember.Ember;
import dev.ember.nn.Module;
import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A training checkpoint in ONE safetensors file: the model's state dict (keys prefixed {@code model.}), the
 * optimizer's state dict ({@code optimizer.}), and in {@code __metadata__} the epoch, the step, the default
 * generator's state and any extra strings ({@code extra.<key>}). Because it is plain safetensors, any
 * safetensors reader can inspect it, and {@code model.*} is loadable by PyTorch after stripping the prefix.
 * Saving is atomic: a crash mid-save leaves the previous checkpoint intact.
 *
 * <p>Resuming training exactly means restoring all four parts:
 * <pre>{@code
 * // save, e.g. at the end of each epoch
 * Checkpoint.save(path, model, optimizer.stateDict(), epoch, step, Map.of("lr", "0.01"));
 *
 * // resume: model weights and the RNG are restored by resume(...)
 * Checkpoint ck = Checkpoint.resume(path, model);
 * optimizer.loadStateDict(ck.optimizerState());     // momentum / Adam moments, step counts
 * long startEpoch = ck.epoch() + 1;  long step = ck.step();
 * loader.setEpoch(startEpoch);                        // a seeded DataLoader then shuffles as the original run did
 * }</pre>
 * The generator state makes {@code rand}/{@code randn}/dropout continue the same stream as the original
 * run had it not stopped.
 *
 * @param modelState     the model's state dict (parameters and persistent buffers)
 * @param optimizerState the optimizer's state dict, or null if none was saved
 * @param epoch          the epoch just completed (any value the training loop chooses)
 * @param step           the global optimizer step
 * @param rngState       {@code Ember.defaultGenerator().getState()}, or null if not saved
 * @param extra          free-form strings (hyper-parameters, notes); never null
 */
public record Checkpoint(Map<String, Tensor> modelState, Map<String, Tensor> optimizerState, long epoch, long step,
        long[] rngState, Map<String, String> extra) {
    /** The {@code format} metadata value marking an Ember checkpoint. */
    public static final String FORMAT = "ember.checkpoint";
    static final String VERSION = "1";
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";
    private static final String EXTRA = "extra.";

    public Checkpoint {
        modelState = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(modelState,
                "Checkpoint: modelState")));
        optimizerState = optimizerState == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(optimizerState));
        if (rngState != null && rngState.length != 4) {
            throw new IllegalArgumentException("Checkpoint: rngState must hold the generator's 4 longs, got "
                    + rngState.length);
        }
        rngState = rngState == null ? null : rngState.clone();
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** A copy of the saved generator state (null if none was saved). */
    @Override
    public long[] rngState() {
        return rngState == null ? null : rngState.clone();
    }

    /** Writes this checkpoint atomically to {@code path}. */
    public void save(Path path) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        modelState.forEach((k, v) -> tensors.put(MODEL + k, v));
        if (optimizerState != null) {
            optimizerState.forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("format_version", VERSION);
        meta.put("epoch", Long.toString(epoch));
        meta.put("step", Long.toString(step));
        meta.put("has_optimizer", Boolean.toString(optimizerState != null));
        if (rngState != null) {
            meta.put("rng_state", rngState[0] + "," + rngState[1] + "," + rngState[2] + "," + rngState[3]);
        }
        extra.forEach((k, v) -> meta.put(EXTRA + k, v));
        SafeTensors.save(path, tensors, meta);
    }

    /** Saves the given parts atomically (see the class comment for what resuming needs). */
    public static void save(Path path, Map<String, Tensor> modelState, Map<String, Tensor> optimizerState, long epoch,
            long step, long[] rngState, Map<String, String> extra) throws IOException {
        new Checkpoint(modelState, optimizerState, epoch, step, rngState, extra).save(path);
    }

    /** Saves {@code model.stateDict()}, the optimizer state and the default generator's current state. */
    public static void save(Path path, Module model, Map<String, Tensor> optimizerState, long epoch, long step,
            Map<String, String> extra) throws IOException {
        save(path, model.stateDict(), optimizerState, epoch, step, Ember.defaultGenerator().getState(), extra);
    }

    /** Reads a checkpoint written by {@link #save(Path)}; a file that is not one is an {@link IOException}. */
    public static Checkpoint load(Path path) throws IOException {
        SafeTensors.Contents c = SafeTensors.loadWithMetadata(path);
        Map<String, String> meta = c.metadata();
        String where = "checkpoint " + path + ": ";
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(where + "not an Ember checkpoint (metadata format is " + meta.get("format")
                    + ", expected " + FORMAT + "); use SafeTensors.load for a plain state dict");
        }
        if (!VERSION.equals(meta.get("format_version"))) {
            throw new IOException(where + "unsupported checkpoint version " + meta.get("format_version")
                    + " (this Ember reads " + VERSION + ")");
        }
        boolean hasOptimizer = Boolean.parseBoolean(meta.get("has_optimizer"));
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optimizer = hasOptimizer ? new LinkedHashMap<>() : null;
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            String k = e.getKey();
            if (k.startsWith(MODEL)) {
                model.put(k.substring(MODEL.length()), e.getValue());
            } else if (k.startsWith(OPTIMIZER) && hasOptimizer) {
                optimizer.put(k.substring(OPTIMIZER.length()), e.getValue());
            } else {
                throw new IOException(where + "unexpected tensor \"" + k + "\" (expected model.* or optimizer.*)");
            }
        }
        long[] rng = null;
        if (meta.containsKey("rng_state")) {
            String[] parts = meta.get("rng_state").split(",", -1);
            if (parts.length != 4) {
                throw new IOException(where + "rng_state must hold 4 integers, got \"" + meta.get("rng_state") + "\"");
            }
            rng = new long[4];
            for (int i = 0; i < 4; i++) {
                rng[i] = parseLong(parts[i], "rng_state", where);
            }
            if ((rng[0] | rng[1] | rng[2] | rng[3]) == 0) {
                throw new IOException(where + "rng_state is all zeros, which no generator can have");
            }
        }
        Map<String, String> extra = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(EXTRA)) {
                extra.put(k.substring(EXTRA.length()), v);
            }
        });
        return new Checkpoint(model, optimizer, parseLong(meta.get("epoch"), "epoch", where),
                parseLong(meta.get("step"), "step", where), rng, extra);
    }

    /**
     * Loads {@code path}, copies the model state into {@code model} (strict: keys and shapes must match) and
     * restores the default generator; returns the checkpoint for the optimizer state, epoch and step.
     */
    public static Checkpoint resume(Path path, Module model) throws IOException {
        Checkpoint ck = load(path);
        model.loadStateDict(ck.modelState(), true);
        ck.restoreRng();
        return ck;
    }

    /** Sets the default generator to the saved state (no-op if none was saved). */
    public void restoreRng() {
        if (rngState != null) {
            Ember.defaultGenerator().setState(rngState);
        }
    }

    private static long parseLong(String v, String key, String where) throws IOException {
        try {
            return Long.parseLong(Objects.requireNonNull(v, key).strip());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IOException(where + key + " must be an integer, got " + v);
        }
    }
}
