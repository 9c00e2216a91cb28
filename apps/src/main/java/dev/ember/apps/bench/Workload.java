package dev.ember.apps.bench;

import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;

/**
 * One benchmark of {@code torch_cpu_reference.py}: how to build it, how often to run it, and how to print it.
 *
 * @param id      the name {@code --workload} selects it by, e.g. {@code sgemm_n1024} or {@code lenet_b64_train_step}
 * @param group   a name that selects a family at once ({@code sgemm}); equal to {@code id} for the others
 * @param warmups the Python script's warm-up count (the harness may add more, for the JIT)
 * @param reps    the Python script's number of timed runs; the line reports their median
 * @param setup   builds the model and data (outside the timing) and returns one step
 * @param format  the PyTorch-compatible part of the line, from the median step time in milliseconds
 */
record Workload(String id, String group, int warmups, int reps, Supplier<Runnable> setup,
                DoubleFunction<String> format) {

    /** A line prefix {@code "<name> ms=<median>"}, as the Python script prints training steps. */
    static DoubleFunction<String> msLine(String name) {
        return ms -> name + " ms=" + fixed(ms, 3);
    }

    /** Python's {@code f"{x:.<digits>f}"}. */
    static String fixed(double x, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", x);
    }

    /** True when {@code selector} names this workload: its id, its group, or its line prefix ({@code "sgemm n=256"}). */
    boolean matches(String selector) {
        String s = selector.trim().replace(' ', '_').replace("=", "");
        return s.equals(id) || s.equals(group);
    }
}
