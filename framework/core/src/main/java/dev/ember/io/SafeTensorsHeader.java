package dev.ember.io;

import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file: parsing with every check the format allows before any tensor is
 * allocated, and building it for writing in the reference implementation's exact layout.
 */
final class SafeTensorsHeader {
    static final String METADATA_KEY = "__metadata__";
    /** safetensors dtype names that exist but that Ember cannot represent. */
    private static final Set<String> KNOWN_UNSUPPORTED =
            Set.of("U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    private SafeTensorsHeader() {
    }

    /** One tensor's header entry; offsets are relative to the start of the data section. */
    record Entry(String name, ElementType type, long[] shape, int numel, long begin, long end) {
    }

    /** Entries in header order, metadata (empty when absent). */
    record Parsed(List<Entry> entries, Map<String, String> metadata) {
    }

    /**
     * Parses and validates the header against a data section of {@code dataSize} bytes: JSON well-formed, each
     * entry's dtype known, shape non-negative with a product that fits, offsets inside the data section and
     * matching dtype size × element count, tensors laid out back to back covering the data section exactly
     * (as the reference reader requires: no overlaps, no gaps).
     */
    static Parsed parse(byte[] header, long dataSize, String file) throws IOException {
        if (header.length == 0 || header[0] != '{') {
            throw corrupt(file, "the header does not start with '{'");
        }
        Object root;
        try {
            root = Json.parse(header);
        } catch (IllegalArgumentException e) {
            throw corrupt(file, "header is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw corrupt(file, "the header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = metadata(e.getValue(), file);
            } else {
                entries.add(entry(name, e.getValue(), dataSize, file));
            }
        }
        checkLayout(entries, dataSize, file);
        return new Parsed(entries, metadata);
    }

    private static Map<String, String> metadata(Object v, String file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw corrupt(file, METADATA_KEY + " must be an object of strings");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw corrupt(file, METADATA_KEY + " value for \"" + e.getKey() + "\" is not a string");
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String name, Object v, long dataSize, String file) throws IOException {
        String t = "tensor \"" + name + "\"";
        if (!(v instanceof Map<?, ?> m)) {
            throw corrupt(file, t + ": expected an object with dtype, shape and data_offsets");
        }
        if (!m.keySet().equals(ENTRY_KEYS)) {
            throw corrupt(file, t + ": expected exactly the keys dtype, shape and data_offsets, got " + m.keySet());
        }
        if (!(m.get("dtype") instanceof String dtypeName)) {
            throw corrupt(file, t + ": dtype must be a string");
        }
        ElementType type = dtype(dtypeName, t, file);
        if (!(m.get("shape") instanceof List<?> dims)) {
            throw corrupt(file, t + ": shape must be an array of integers");
        }
        long[] shape = new long[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0) {
                throw corrupt(file, t + ": shape " + dims + " must hold non-negative integers");
            }
            shape[i] = d;
            numel = d > 0 && numel > Integer.MAX_VALUE / d ? Long.MAX_VALUE : numel * d;
        }
        if (numel > Integer.MAX_VALUE) {
            throw corrupt(file, t + ": shape " + dims + " has more than 2^31-1 elements, the most one tensor holds");
        }
        if (!(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
                || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)) {
            throw corrupt(file, t + ": data_offsets must be [begin, end] integers");
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw corrupt(file, t + ": data_offsets " + offs + " are outside the data section of " + dataSize
                    + " bytes" + (end > dataSize && begin >= 0 && end >= begin ? " (truncated file?)" : ""));
        }
        long bytes = numel * type.size;
        if (end - begin != bytes) {
            throw corrupt(file, t + ": data_offsets " + offs + " span " + (end - begin) + " bytes but dtype "
                    + dtypeName + " and shape " + dims + " need " + bytes);
        }
        return new Entry(name, type, shape, (int) numel, begin, end);
    }

    private static ElementType dtype(String name, String t, String file) throws IOException {
        try {
            return ElementType.valueOf(name);
        } catch (IllegalArgumentException e) {
            if (KNOWN_UNSUPPORTED.contains(name)) {
                throw corrupt(file, t + ": unsupported dtype " + name + " (Ember reads "
                        + Arrays.toString(ElementType.values()) + ")");
            }
            throw corrupt(file, t + ": unknown dtype \"" + name + "\"");
        }
    }

    private static void checkLayout(List<Entry> entries, long dataSize, String file) throws IOException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < at) {
                throw corrupt(file, "tensors \"" + previous.name() + "\" [" + previous.begin() + ", " + previous.end()
                        + ") and \"" + e.name() + "\" [" + e.begin() + ", " + e.end() + ") overlap");
            }
            if (e.begin() > at) {
                throw corrupt(file, "gap of " + (e.begin() - at) + " bytes before tensor \"" + e.name()
                        + "\" at offset " + e.begin() + " (tensors must be stored back to back)");
            }
            at = e.end();
            previous = e;
        }
        if (at != dataSize) {
            throw corrupt(file, "the data section holds " + dataSize + " bytes but the tensors cover " + at
                    + (at < dataSize ? " (trailing bytes)" : ""));
        }
    }

    static IOException corrupt(String file, String what) {
        return new IOException("safetensors " + file + ": " + what);
    }

    // ---------------------------------------------------------------- writing

    /**
     * The reference writer's order: descending dtype alignment (I64, F64, F32, BOOL), then name by bytes, so
     * every tensor's data starts aligned and our files match the reference byte for byte.
     */
    static List<Map.Entry<String, Tensor>> writeOrder(Map<String, Tensor> tensors) {
        List<Map.Entry<String, Tensor>> list = new ArrayList<>(tensors.entrySet());
        Comparator<Map.Entry<String, Tensor>> byType = Comparator.comparing(
                e -> ElementType.of(e.getValue().dtype()), Comparator.reverseOrder());
        list.sort(byType.thenComparing((a, b) -> Arrays.compareUnsigned(
                a.getKey().getBytes(StandardCharsets.UTF_8), b.getKey().getBytes(StandardCharsets.UTF_8))));
        return list;
    }

    /** Compact JSON header for tensors in {@code order}, padded with spaces to a multiple of 8 bytes. */
    static byte[] build(List<Map.Entry<String, Tensor>> order, Map<String, String> metadata) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (metadata != null) {
            root.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            long n = TensorData.byteSize(t);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", ElementType.of(t.dtype()).name());
            List<Object> shape = new ArrayList<>();
            for (long d : t.shape()) {
                shape.add(d);
            }
            info.put("shape", shape);
            info.put("data_offsets", List.of(offset, offset + n));
            root.put(e.getKey(), info);
            offset += n;
        }
        byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
