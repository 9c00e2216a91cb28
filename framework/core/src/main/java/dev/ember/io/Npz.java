package dev.ember.io;

import dev.ember.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's .npz archives ({@code np.savez}, {@code np.savez_compressed}, {@code np.load}): a zip file with one
 * {@code name.npy} entry per array. Each entry is read with {@link Npy}'s checks; in addition an entry's
 * declared size must agree with its .npy header, and a deflated entry may not claim more than DEFLATE's
 * maximum expansion of its compressed size, so a small hostile archive cannot make us allocate much.
 */
public final class Npz {
    /** DEFLATE cannot expand data more than about 1032:1. */
    private static final long MAX_DEFLATE_RATIO = 1032;

    private Npz() {
    }

    /** The arrays by name (the entry name without {@code .npy}), in archive order. */
    public static Map<String, Tensor> load(Path path) throws IOException {
        String file = path.toString();
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new IOException("npz " + file + ": not a valid zip archive (" + e.getMessage() + ")", e);
        }
        try (zip) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                String where = file + " entry " + name;
                if (!name.endsWith(".npy")) {
                    throw new IOException("npz " + where + ": not an .npy array");
                }
                String key = name.substring(0, name.length() - 4);
                long size = e.getSize();
                long compressed = e.getCompressedSize();
                if (size < 0 || compressed < 0) {
                    throw new IOException("npz " + where + ": unknown entry size");
                }
                if (e.getMethod() == ZipEntry.STORED ? size != compressed
                        : size > compressed * MAX_DEFLATE_RATIO + 1024) {
                    throw new IOException("npz " + where + ": declared size " + size + " is impossible for "
                            + compressed + " stored bytes");
                }
                if (out.containsKey(key)) {
                    throw new IOException("npz " + where + ": duplicate array name '" + key + "'");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    Tensor t = Npy.read(TensorData.from(in), size, where);
                    if (in.read() != -1) {
                        throw new IOException("npz " + where + ": more data than the entry declares");
                    }
                    out.put(key, t);
                } catch (ZipException ex) {
                    throw new IOException("npz " + where + ": corrupt entry (" + ex.getMessage() + ")", ex);
                }
            }
            return out;
        }
    }

    /** Writes uncompressed entries, as {@code np.savez}. */
    public static void save(Path path, Map<String, Tensor> arrays) throws IOException {
        write(path, arrays, false);
    }

    /** Writes deflated entries, as {@code np.savez_compressed}. */
    public static void saveCompressed(Path path, Map<String, Tensor> arrays) throws IOException {
        write(path, arrays, true);
    }

    private static void write(Path path, Map<String, Tensor> arrays, boolean compressed) throws IOException {
        for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new IllegalArgumentException("Npz.save: empty name or null array (name " + e.getKey() + ")");
            }
        }
        AtomicFiles.write(path, raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw);
            for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
                byte[] npy = Npy.toBytes(e.getValue());
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setTimeLocal(LocalDateTime.of(1980, 1, 1, 0, 0)); // same bytes for the same arrays
                if (compressed) {
                    entry.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(npy);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(npy.length);
                    entry.setCompressedSize(npy.length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(npy);
                zip.closeEntry();
            }
            zip.finish(); // not close(): AtomicFiles owns and closes the underlying stream
        });
    }
}
