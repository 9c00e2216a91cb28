package dev.ember.apps.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** Naming and finding run folders under the runs directory. */
final class Runs {
    private Runs() {
    }

    /** {@code <model>-<dataset>}, with a folder dataset named after its last path element. */
    static String defaultName(String model, String dataset) {
        String d = dataset;
        if (d.startsWith("folder:")) {
            Path p = Path.of(d.substring("folder:".length())).toAbsolutePath().normalize();
            d = "folder-" + (p.getFileName() == null ? "root" : p.getFileName().toString());
        }
        return sanitize(model.toLowerCase(Locale.ROOT) + "-" + d.toLowerCase(Locale.ROOT));
    }

    /** {@code base}, or {@code base-2}, {@code base-3}, ... : the first that is not yet a folder in {@code runs}. */
    static String freeName(Path runs, String base) {
        if (!Files.exists(runs.resolve(base))) {
            return base;
        }
        for (int i = 2; ; i++) {
            String n = base + "-" + i;
            if (!Files.exists(runs.resolve(n))) {
                return n;
            }
        }
    }

    /** Checks a user-given run name: one folder name of letters, digits, '.', '_' and '-'. */
    static String checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("--name must be a folder name of letters, digits, '.', '_' and '-',"
                    + " got \"" + name + "\"");
        }
        return name;
    }

    /** The most recently modified run (a folder holding config.json) in {@code runs}. */
    static Optional<Path> latest(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("config.json")))
                    .max(Comparator.comparing(Runs::modified));
        }
    }

    /** The run {@code name} in {@code runs}, or the latest one when name is null; a clear error if none. */
    static Path find(Path runs, String name) throws IOException {
        if (name != null) {
            Path dir = runs.resolve(checkName(name));
            if (!Files.isRegularFile(dir.resolve("config.json"))) {
                throw new IOException("no run \"" + name + "\" in " + runs + " (no " + dir.resolve("config.json")
                        + "); train one with: ember vision train --name " + name);
            }
            return dir;
        }
        return latest(runs).orElseThrow(() -> new IOException("no runs in " + runs.toAbsolutePath()
                + "; train one first with: ember vision train"));
    }

    private static FileTime modified(Path run) {
        try {
            Path ck = run.resolve("checkpoint.safetensors");
            return Files.getLastModifiedTime(Files.exists(ck) ? ck : run.resolve("config.json"));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
