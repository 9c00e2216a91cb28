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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * NumPy's .npy format ({@code np.save}/{@code np.load}): magic {@code \x93NUMPY}, version, header length, a
 * Python-dict header ({@code descr}, {@code fortran_order}, {@code shape}), then the raw data.
 *
 * <p>Reads versions 1.0, 2.0 and 3.0; dtypes {@code <f8 <f4 <i8 |b1} losslessly, {@code <f2} as float32,
 * {@code <i4 <i2 |i1 <u4 <u2 |u1} as int64, in either byte order; Fortran-ordered arrays are transposed into
 * Ember's row-major layout. Object arrays (pickles), strings and structured dtypes are rejected by name.
 * Files are untrusted: the header size, shape and data size are checked against the file before allocating.
 * Writes are byte-identical to NumPy 1.24's {@code np.save} for float32, float64, int64 and bool, atomically.
 */
public final class Npy {
    /** Header limit: NumPy writes a few hundred bytes; anything near this is not a real array header. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    private Npy() {
    }

    public static Tensor load(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(TensorData.from(ch, 0), ch.size(), path.toString());
        }
    }

    public static Tensor fromBytes(byte[] bytes) throws IOException {
        return read(TensorData.from(new java.io.ByteArrayInputStream(bytes)), bytes.length, "<bytes>");
    }

    /** Writes {@code tensor} (any layout; float32, float64, int64 or bool) atomically, as {@code np.save}. */
    public static void save(Path path, Tensor tensor) throws IOException {
        AtomicFiles.write(path, out -> write(tensor, out));
    }

    public static byte[] toBytes(Tensor tensor) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(tensor, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void write(Tensor tensor, OutputStream out) throws IOException {
        out.write(NpyHeader.preamble(NpyHeader.descrOf(ElementType.of(tensor.dtype())), tensor.shape()));
        TensorData.write(tensor, out);
    }

    /**
     * Reads one array of exactly {@code size} bytes (header and data) from {@code src}; {@code file} names it in
     * errors.
     */
    static Tensor read(TensorData.ByteSource src, long size, String file) throws IOException {
        try {
            return readChecked(src, size, file);
        } catch (EOFException e) {
            throw NpyHeader.corrupt(file, "truncated: " + e.getMessage());
        }
    }

    private static Tensor readChecked(TensorData.ByteSource src, long size, String file) throws IOException {
        if (size < 10) {
            throw NpyHeader.corrupt(file, "file is " + size + " bytes, too small for an .npy header");
        }
        ByteBuffer pre = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        src.readFully(pre);
        for (int i = 0; i < NpyHeader.MAGIC.length; i++) {
            if (pre.get(i) != NpyHeader.MAGIC[i]) {
                throw NpyHeader.corrupt(file, "not an .npy file (the magic string \\x93NUMPY is missing)");
            }
        }
        int major = pre.get(6);
        int minor = pre.get(7);
        if (major < 1 || major > 3 || minor != 0) {
            throw NpyHeader.corrupt(file, "unsupported format version " + major + "." + minor
                    + " (Ember reads 1.0, 2.0 and 3.0)");
        }
        int lenBytes = major == 1 ? 2 : 4;
        ByteBuffer lenBuf = ByteBuffer.allocate(lenBytes).order(ByteOrder.LITTLE_ENDIAN);
        src.readFully(lenBuf);
        long hlen = major == 1 ? lenBuf.getShort(0) & 0xFFFFL : lenBuf.getInt(0) & 0xFFFFFFFFL;
        long dataStart = 8 + lenBytes + hlen;
        if (hlen > MAX_HEADER_BYTES) {
            throw NpyHeader.corrupt(file, "header length " + hlen + " exceeds the limit of " + MAX_HEADER_BYTES);
        }
        if (dataStart > size) {
            throw NpyHeader.corrupt(file, "header length " + hlen + " runs past the end of the file (" + size
                    + " bytes)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) hlen);
        src.readFully(headerBuf);
        String text = new String(headerBuf.array(),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader.Header h = NpyHeader.parse(text, file);
        NpyHeader.Descr d = NpyHeader.descr(h.descr(), file);
        long numel = 1;
        for (long dim : h.shape()) {
            numel = dim > 0 && numel > Integer.MAX_VALUE / dim ? Long.MAX_VALUE : numel * dim;
        }
        if (numel > Integer.MAX_VALUE) {
            throw NpyHeader.corrupt(file, "shape " + java.util.Arrays.toString(h.shape())
                    + " has more than 2^31-1 elements, the most one tensor holds");
        }
        long need = numel * d.type().size;
        if (size - dataStart != need) {
            throw NpyHeader.corrupt(file, "shape " + java.util.Arrays.toString(h.shape()) + " of " + h.descr()
                    + " needs " + need + " data bytes but " + (size - dataStart) + " follow the header"
                    + (size - dataStart < need ? " (truncated file)" : ""));
        }
        if (!h.fortranOrder()) {
            return TensorData.read(src, d.type(), d.order(), h.shape(), (int) numel);
        }
        // Fortran order is the row-major layout of the reversed shape; permuting back gives the array
        long[] reversed = new long[h.shape().length];
        int[] perm = new int[reversed.length];
        for (int i = 0; i < reversed.length; i++) {
            reversed[i] = h.shape()[reversed.length - 1 - i];
            perm[i] = reversed.length - 1 - i;
        }
        return TensorData.read(src, d.type(), d.order(), reversed, (int) numel).permute(perm).contiguous();
    }
}
