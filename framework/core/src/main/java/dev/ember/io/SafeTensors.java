package dev.ember.io;

import dev.ember.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format, the way
 * state dicts move between Ember, PyTorch ({@code safetensors.torch.save_file/load_file}) and Hugging Face.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON
 * {@code {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}}
 * padded with spaces to a multiple of 8, then the tensors' little-endian, row-major bytes back to back.
 * Ember writes exactly what the reference implementation writes (tensors sorted by descending dtype
 * alignment, then by name; compact JSON), so files are byte-identical for the same state dict.
 *
 * <p>Reading accepts F64, F32, I64 and BOOL losslessly, and converts F16/BF16 to float32 and
 * I32/I16/I8/U8/U16/U32 to int64 (Ember's dtypes); U64 and 8-bit floats are rejected by name. Files are
 * untrusted: the header length, JSON, dtypes, shapes and offsets are all checked against the file's size
 * before any tensor is allocated, and a truncated or hostile file gives an {@link IOException} saying what is
 * wrong. Writes are atomic (temporary file, then rename).
 */
public final class SafeTensors {
    /** The largest header accepted (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private SafeTensors() {
    }

    /** Tensors in header order and the {@code __metadata__} strings (empty when the file has none). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /** The tensors of a safetensors file, by name. */
    public static Map<String, Tensor> load(Path path) throws IOException {
        return loadWithMetadata(path).tensors();
    }

    /** The tensors and metadata of a safetensors file. */
    public static Contents loadWithMetadata(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(ch.size(), pos -> TensorData.from(ch, pos), path.toString());
        }
    }

    /** Parses an in-memory safetensors file. */
    public static Contents fromBytes(byte[] bytes) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(bytes);
        return read(bytes.length, pos -> dst -> {
            long end = pos + dst.remaining();
            if (end > bytes.length) {
                throw new EOFException("unexpected end of data at byte " + bytes.length);
            }
            dst.put(all.slice((int) pos, dst.remaining()));
        }, "<bytes>");
    }

    /** Writes {@code tensors} (no metadata) atomically. */
    public static void save(Path path, Map<String, Tensor> tensors) throws IOException {
        save(path, tensors, null);
    }

    /**
     * Writes {@code tensors} and, if not null, {@code metadata} as {@code __metadata__}, atomically: a
     * crash or error never leaves a half-written file at {@code path}. Tensors may be any layout (views
     * are written row-major) and must be float32, float64, int64 or bool.
     */
    public static void save(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Prepared p = prepare(tensors, metadata);
        AtomicFiles.write(path, p::writeTo);
    }

    /** The bytes {@link #save(Path, Map, Map)} would write. */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Prepared p = prepare(tensors, metadata);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            p.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- internals

    @FunctionalInterface
    private interface Input {
        TensorData.ByteSource at(long position);
    }

    private static Contents read(long fileSize, Input in, String file) throws IOException {
        if (fileSize < 8) {
            throw SafeTensorsHeader.corrupt(file, "file is " + fileSize + " bytes, too small for the 8-byte header length");
        }
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        in.at(0).readFully(len);
        long n = len.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw SafeTensorsHeader.corrupt(file, "header length " + Long.toUnsignedString(n)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n > fileSize - 8) {
            throw SafeTensorsHeader.corrupt(file, "header length " + n + " runs past the end of the file ("
                    + fileSize + " bytes): the file is truncated or not safetensors");
        }
        ByteBuffer header = ByteBuffer.allocate((int) n);
        in.at(8).readFully(header);
        long dataStart = 8 + n;
        SafeTensorsHeader.Parsed parsed = SafeTensorsHeader.parse(header.array(), fileSize - dataStart, file);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (SafeTensorsHeader.Entry e : parsed.entries()) {
            try {
                tensors.put(e.name(), TensorData.read(in.at(dataStart + e.begin()), e.type(),
                        ByteOrder.LITTLE_ENDIAN, e.shape(), e.numel()));
            } catch (EOFException ex) {
                // the size was checked up front, so only a file shrinking under us gets here
                throw SafeTensorsHeader.corrupt(file, "tensor \"" + e.name() + "\": " + ex.getMessage());
            }
        }
        return new Contents(tensors, parsed.metadata());
    }

    private record Prepared(byte[] header, List<Map.Entry<String, Tensor>> order) {
        void writeTo(OutputStream out) throws IOException {
            byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array();
            out.write(len);
            out.write(header);
            for (Map.Entry<String, Tensor> e : order) {
                TensorData.write(e.getValue(), out);
            }
        }
    }

    /** Validates everything up front, so a bad argument never creates a file. */
    private static Prepared prepare(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "SafeTensors.save: tensors");
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("SafeTensors.save: null name or tensor (name " + e.getKey() + ")");
            }
            if (e.getKey().equals(SafeTensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("SafeTensors.save: the name " + SafeTensorsHeader.METADATA_KEY
                        + " is reserved for metadata");
            }
        }
        if (metadata != null) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("SafeTensors.save: null metadata key or value (key "
                            + e.getKey() + ")");
                }
            }
        }
        List<Map.Entry<String, Tensor>> order = SafeTensorsHeader.writeOrder(tensors);
        byte[] header = SafeTensorsHeader.build(order, metadata);
        if (header.length > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("SafeTensors.save: header of " + header.length
                    + " bytes exceeds the format's limit of " + MAX_HEADER_BYTES);
        }
        return new Prepared(header, order);
    }
}
