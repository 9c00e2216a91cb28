package dev.ember.vision.train;

import dev.ember.optim.Optimizer;
import dev.ember.optim.lr.CosineAnnealingLR;
import dev.ember.optim.lr.LRScheduler;
import dev.ember.optim.lr.OneCycleLR;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The learning-rate schedules of {@link TrainConfig#schedule()}, stepped after every batch, and the round trip
 * of a schedule's state through a checkpoint's string metadata ({@code extra.scheduler.<key>}): a checkpoint
 * holds model and optimizer tensors only, and the schedule's position is a handful of numbers.
 */
final class Schedules {
    static final String PREFIX = "scheduler.";

    private Schedules() {
    }

    /** The schedule over {@code totalSteps} optimizer steps; null for {@code constant}. */
    static LRScheduler create(String schedule, Optimizer<?> optimizer, double lr, int totalSteps) {
        return switch (schedule) {
            case "onecycle" -> new OneCycleLR(optimizer, lr, totalSteps);
            case "cosine" -> new CosineAnnealingLR(optimizer, totalSteps);
            case "constant" -> null;
            default -> throw new IllegalArgumentException("unknown schedule " + schedule);
        };
    }

    /** {@code scheduler.stateDict()} as strings, each value a comma-separated list of exact doubles. */
    static Map<String, String> encode(LRScheduler scheduler) {
        Map<String, String> out = new LinkedHashMap<>();
        if (scheduler == null) {
            return out;
        }
        scheduler.stateDict().forEach((k, v) -> {
            StringJoiner j = new StringJoiner(",");
            for (double d : v.toDoubleArray()) {
                j.add(Double.toString(d));
            }
            out.put(PREFIX + k, j.toString());
        });
        return out;
    }

    /** Restores what {@link #encode} wrote into {@code scheduler} (validated by its loadStateDict). */
    static void decode(Map<String, String> extra, LRScheduler scheduler, String where) {
        if (scheduler == null) {
            return;
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        extra.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                String[] parts = v.isEmpty() ? new String[0] : v.split(",", -1);
                double[] d = new double[parts.length];
                for (int i = 0; i < d.length; i++) {
                    try {
                        d[i] = Double.parseDouble(parts[i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(where + ": bad number in " + k + " = \"" + v + "\"");
                    }
                }
                state.put(k.substring(PREFIX.length()), Tensor.of(DType.FLOAT64, d, d.length));
            }
        });
        try {
            scheduler.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": cannot restore the learning-rate schedule (" + e.getMessage()
                    + ")", e);
        }
    }
}
