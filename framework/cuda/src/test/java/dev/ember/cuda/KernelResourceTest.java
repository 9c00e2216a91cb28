package dev.ember.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed kernel binaries against the report {@code src/main/cuda/build.sh} writes with them
 * ({@code resource-usage.txt}): they were built from the sources in the tree (the report's SHA-256 of every
 * {@code .cu} and {@code .cuh}), every source compiled, every binary has the size the report gives, and no kernel
 * spills registers (ptxas {@code -v} of the sm_90 code). Runs without a GPU or nvcc: the build never compiles
 * kernels, so this is what keeps a kernel edit from landing without its binaries.
 */
class KernelResourceTest {
    private static final Path SOURCES = Path.of("src/main/cuda");
    private static final Path BINARIES = Path.of("src/main/resources/dev/ember/cuda/kernels");
    private static final Pattern KERNEL =
            Pattern.compile("^\\s+(\\S+)\\s+(\\d+) regs\\s+(\\d+) B stack\\s+(\\d+)/(\\d+)\\s+B spill st/ld.*");
    private static final Pattern BINARY = Pattern.compile("^\\s+(\\S+\\.(?:ptx|fatbin))\\s+(\\d+)$");

    private static List<String> report() throws IOException {
        return Files.readAllLines(SOURCES.resolve("resource-usage.txt"));
    }

    /** The kernel sources (.cu, .cuh) in byte order of their names, as build.sh hashes them. */
    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(p -> p.getFileName().toString().matches(".*\\.cuh?"))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
    }

    @Test
    void binariesWereBuiltFromTheSourcesInTheTree() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Path f : sources()) {
            sha.update(Files.readAllBytes(f));
        }
        String prefix = "# sources sha256: ";
        String recorded = report().stream().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> l.substring(prefix.length())).orElseThrow();
        assertEquals(recorded, HexFormat.of().formatHex(sha.digest()),
                "a kernel source changed since build.sh last ran: run src/main/cuda/build.sh and commit its outputs");
    }

    @Test
    void everySourceCompiledAndEveryBinaryHasItsReportedSize() throws IOException {
        List<String> report = report();
        Map<String, Long> listed = new TreeMap<>();
        for (String line : report) {
            Matcher m = BINARY.matcher(line);
            if (m.matches()) {
                listed.put(m.group(1), Long.parseLong(m.group(2)));
            }
            assertFalse(line.contains("FAILED"), "build.sh could not compile a source: " + line);
        }
        for (Path src : sources()) {
            String name = src.getFileName().toString();
            if (name.endsWith(".cu")) {
                assertTrue(report.contains(name), name + " has no section in the report");
                String stem = name.substring(0, name.length() - 3);
                assertTrue(listed.containsKey(stem + ".ptx") && listed.containsKey(stem + ".fatbin"),
                        name + "'s binaries are not in the report");
            }
        }
        Map<String, Long> present = new TreeMap<>();
        try (Stream<Path> files = Files.list(BINARIES)) {
            for (Path f : files.toList()) {
                present.put(f.getFileName().toString(), Files.size(f));
            }
        }
        assertEquals(listed, present, "the kernel binaries are not the ones build.sh reported");
    }

    @Test
    void noKernelSpillsRegisters() throws IOException {
        int kernels = 0;
        for (String line : report()) {
            Matcher m = KERNEL.matcher(line);
            if (m.matches()) {
                kernels++;
                assertEquals("0/0", m.group(4) + "/" + m.group(5), "spill stores/loads of " + m.group(1));
            }
        }
        assertTrue(kernels > 100, "kernel lines parsed from the report: " + kernels);
    }
}
