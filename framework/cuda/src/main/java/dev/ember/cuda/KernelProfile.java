package dev.ember.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPU time of every eager kernel launch and device copy, by kernel name: a CUDA event is recorded on the
 * stream before and after each, and their distance is what the GPU spent on it (what {@code nsys} would show,
 * without it). Started by {@link Cuda#startKernelProfile()} or {@code -Dember.cuda.profile=true}. Launches recorded
 * into a graph are not timed (an event in a capture would become a node of the graph).
 *
 * <p>Events are reused; every 1024 timed launches the finished ones are read (waiting for the stream) and added to
 * the totals, so a long profile holds a bounded number of events. The events and the waits change an eager step's
 * own timing; the per-kernel times are the GPU's.
 */
final class KernelProfile {
    private static final int FOLD_AT = 1024;

    private record Timed(String name, Object start, Object end) {
    }

    private final Driver driver;
    private final List<Timed> pending = new ArrayList<>();
    private final ArrayDeque<Object> events = new ArrayDeque<>();
    /** name -> {launches, total nanoseconds} */
    private final Map<String, long[]> totals = new HashMap<>();

    KernelProfile(Driver driver) {
        this.driver = driver;
    }

    /** Records the event that opens a timed launch. */
    synchronized Object begin() {
        Object e = event();
        driver.recordEvent(e);
        return e;
    }

    /** Records the event that closes the launch of {@code name} opened by {@code start}. */
    synchronized void end(String name, Object start) {
        Object e = event();
        driver.recordEvent(e);
        pending.add(new Timed(name, start, e));
        if (pending.size() >= FOLD_AT) {
            fold();
        }
    }

    /** The totals so far, the longest first (waits for the stream). */
    synchronized List<Cuda.KernelTime> report() {
        fold();
        List<Cuda.KernelTime> out = new ArrayList<>();
        totals.forEach((name, t) -> out.add(new Cuda.KernelTime(name, t[0], t[1] / 1e6)));
        out.sort(Comparator.comparingDouble(Cuda.KernelTime::totalMs).reversed()
                .thenComparing(Cuda.KernelTime::name));
        return out;
    }

    /** Reads the pending launches' times into the totals and frees their events. */
    private void fold() {
        for (Timed t : pending) {
            long[] total = totals.computeIfAbsent(t.name(), k -> new long[2]);
            total[0]++;
            total[1] += Math.round(driver.elapsedMs(t.start(), t.end()) * 1e6);
            events.add(t.start());
            events.add(t.end());
        }
        pending.clear();
    }

    /** Destroys every event (the profile is not used afterwards). */
    synchronized void close() {
        fold();
        events.forEach(driver::destroyEvent);
        events.clear();
    }

    private Object event() {
        Object e = events.poll();
        return e != null ? e : driver.createEvent();
    }
}
