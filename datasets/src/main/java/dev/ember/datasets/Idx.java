package dev.ember.datasets;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files, the format of MNIST, Fashion-MNIST, KMNIST and EMNIST
 * (http://yann.lecun.com/exdb/mnist/): two zero bytes, an element-type byte, a dims-count byte, one
 * big-endian unsigned 32-bit size per dim, then the row-major data. MNIST images have magic
 * {@code 0x00000803} (unsigned bytes, 3 dims: N, 28, 28) and labels {@code 0x00000801} (N).
 *
 * <p>Only unsigned-byte data (type {@code 0x08}) is supported: every MNIST-family file uses it. Files may
 * be gzip-compressed; that is detected from the gzip magic bytes, not from the file name.
 *
 * <p>Files are untrusted input. The header is checked (magic, type, dims count, the dims' product against
 * a size limit) before anything is allocated; an uncompressed file's claimed size is checked against its
 * actual size; a compressed stream's buffer grows only as data really arrives, so a header that claims a
 * gigabyte over a few bytes of data costs a few bytes. Every problem with the file's content is an
 * {@link IOException} naming the file and what was wrong.
 */
public final class Idx {
    /** The element-type byte of unsigned bytes, the only one supported. */
    public static final int UBYTE = 0x08;
    /** The most dims accepted; the format allows 255, real files use 1 to 4. */
    public static final int MAX_DIMS = 8;
    /** Default limit on the data size: 1 GiB (full MNIST training images are 47 MB, EMNIST ByClass 638 MB). */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    /** The largest Java byte array the JVM reliably allocates. */
    static final long ARRAY_MAX = Integer.MAX_VALUE - 8;

    // The buffer for data of unknown availability starts here and doubles as data arrives.
    private static final int INITIAL_CHUNK = 1 << 16;

    private Idx() {
    }

    /** Reads an IDX file, gzip-compressed or not, with the {@link #DEFAULT_MAX_BYTES} limit. */
    public static IdxArray read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_BYTES);
    }

    /**
     * Reads an IDX file, gzip-compressed or not.
     *
     * @param maxBytes the most data bytes (product of the dims) accepted, at most {@code 2^31 - 9}
     * @throws IOException if the file cannot be read or is not a well-formed IDX file within the limit
     */
    public static IdxArray read(Path file, long maxBytes) throws IOException {
        checkLimit(maxBytes);
        String source = file.toString();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), INITIAL_CHUNK)) {
            if (isGzip(raw)) {
                return readGzip(raw, source, maxBytes);
            }
            return readBody(raw, source, maxBytes, Files.size(file));
        }
    }

    /** Reads IDX data from a stream (gzip-compressed or not) with the {@link #DEFAULT_MAX_BYTES} limit. */
    public static IdxArray read(InputStream in, String source) throws IOException {
        return read(in, source, DEFAULT_MAX_BYTES);
    }

    /**
     * Reads IDX data from a stream, gzip-compressed or not, to its end; the stream is not closed.
     *
     * @param source names the data in error messages (a file name or resource path)
     * @param maxBytes the most data bytes (product of the dims) accepted, at most {@code 2^31 - 9}
     */
    public static IdxArray read(InputStream in, String source, long maxBytes) throws IOException {
        checkLimit(maxBytes);
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, INITIAL_CHUNK);
        if (isGzip(buffered)) {
            return readGzip(buffered, source, maxBytes);
        }
        return readBody(buffered, source, maxBytes, -1);
    }

    /**
     * Writes {@code array} as an IDX file of unsigned bytes, gzip-compressed if {@code gzip}. The file is
     * written beside the target under a temporary name and then renamed, so a failure never leaves a
     * half-written file in place. Compressed output is deterministic (gzip header time 0).
     */
    public static void write(Path file, IdxArray array, boolean gzip) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        // not Files.createTempFile: its owner-only permissions would stay on the renamed file
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(
                    Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    INITIAL_CHUNK)) {
                if (gzip) {
                    try (GZIPOutputStream z = bestGzip(out)) {
                        write(z, array);
                    }
                } else {
                    write(out, array);
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code array} as uncompressed IDX (header then data) to {@code out}, which is not closed. */
    public static void write(OutputStream out, IdxArray array) throws IOException {
        int[] dims = array.dims();
        byte[] header = new byte[4 + 4 * dims.length];
        header[2] = (byte) UBYTE;
        header[3] = (byte) dims.length;
        for (int i = 0; i < dims.length; i++) {
            putInt(header, 4 + 4 * i, dims[i]);
        }
        out.write(header);
        out.write(array.data());
        out.flush();
    }

    /** True if the stream starts with the gzip magic bytes 1f 8b; the stream must support mark/reset. */
    static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }

    private static IdxArray readGzip(InputStream raw, String source, long maxBytes) throws IOException {
        try {
            return readBody(new GZIPInputStream(raw, INITIAL_CHUNK), source, maxBytes, -1);
        } catch (ZipException | EOFException e) {
            // GZIPInputStream reports a cut-off stream as EOFException and bad deflate data as ZipException
            throw new IOException("IDX " + source + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Parses the header and reads the data. {@code streamSize} is the total byte count when known (an
     * uncompressed file), else -1.
     */
    private static IdxArray readBody(InputStream in, String source, long maxBytes, long streamSize)
            throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new IOException("IDX " + source + ": too short for an IDX header (" + magic.length
                    + " bytes, need at least 4)");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IOException("IDX " + source + ": not an IDX file, magic number 0x" + hex(magic)
                    + " (expected 0x0000TTNN with type TT and dims count NN, e.g. 0x00000803 for MNIST images"
                    + " or 0x00000801 for labels)");
        }
        int type = Byte.toUnsignedInt(magic[2]);
        if (type != UBYTE) {
            throw new IOException("IDX " + source + ": unsupported element type 0x" + String.format("%02x", type)
                    + " (" + typeName(type) + "); only unsigned byte (0x08) is supported");
        }
        int rank = Byte.toUnsignedInt(magic[3]);
        if (rank < 1 || rank > MAX_DIMS) {
            throw new IOException("IDX " + source + ": " + rank + " dims in the header, expected 1 to " + MAX_DIMS);
        }
        byte[] dimBytes = in.readNBytes(4 * rank);
        if (dimBytes.length < 4 * rank) {
            throw new IOException("IDX " + source + ": truncated header, " + rank + " dims need " + (4 * rank)
                    + " bytes of sizes after the magic number, got " + dimBytes.length);
        }
        long[] dims = new long[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = Integer.toUnsignedLong(getInt(dimBytes, 4 * i));
            // saturate instead of overflowing (each dim < 2^32); a later 0 still makes the product 0
            count = count > ARRAY_MAX ? (dims[i] == 0 ? 0 : count) : count * dims[i];
        }
        if (count > maxBytes) {
            throw new IOException("IDX " + source + ": dims " + Arrays.toString(dims) + " claim "
                    + (count > ARRAY_MAX ? "more than 2^31" : Long.toString(count))
                    + " bytes of data, more than the limit of " + maxBytes + " bytes");
        }
        int n = (int) count;
        long headerSize = 4L + 4L * rank;
        if (streamSize >= 0 && streamSize - headerSize != n) {
            long available = streamSize - headerSize;
            throw new IOException("IDX " + source + ": dims " + Arrays.toString(dims) + " need " + n
                    + " bytes of data, but the file has " + available + " after the header"
                    + (available < n ? " (truncated)" : " (trailing bytes)"));
        }
        int[] intDims = new int[rank];
        for (int i = 0; i < rank; i++) {
            // each dim <= count <= ARRAY_MAX, except beside a 0 dim, where an absurd size is still wrong
            if (dims[i] > ARRAY_MAX) {
                throw new IOException("IDX " + source + ": dim " + dims[i] + " in " + Arrays.toString(dims)
                        + " is larger than 2^31");
            }
            intDims[i] = (int) dims[i];
        }
        byte[] data = readExactly(in, n, source, dims);
        if (in.read() != -1) {
            throw new IOException("IDX " + source + ": trailing bytes after the " + n + " bytes of data that dims "
                    + Arrays.toString(dims) + " describe");
        }
        return new IdxArray(intDims, data);
    }

    /** Reads exactly {@code n} bytes, growing the buffer only as data arrives. */
    private static byte[] readExactly(InputStream in, int n, String source, long[] dims) throws IOException {
        byte[] buf = new byte[Math.min(n, INITIAL_CHUNK)];
        int filled = 0;
        while (filled < n) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
            }
            int r = in.read(buf, filled, buf.length - filled);
            if (r < 0) {
                throw new IOException("IDX " + source + ": truncated, dims " + Arrays.toString(dims) + " need "
                        + n + " bytes of data, got " + filled);
            }
            filled += r;
        }
        return buf;
    }

    private static GZIPOutputStream bestGzip(OutputStream out) throws IOException {
        return new GZIPOutputStream(out, INITIAL_CHUNK) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        };
    }

    private static void checkLimit(long maxBytes) {
        if (maxBytes < 0 || maxBytes > ARRAY_MAX) {
            throw new IllegalArgumentException("Idx.read: maxBytes must be in [0, " + ARRAY_MAX + "], got " + maxBytes);
        }
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "int16";
            case 0x0C -> "int32";
            case 0x0D -> "float32";
            case 0x0E -> "float64";
            default -> "not an IDX type";
        };
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", Byte.toUnsignedInt(x)));
        }
        return s.toString();
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
