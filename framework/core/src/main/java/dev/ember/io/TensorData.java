package dev.ember.io;

import dev.ember.tensor.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Moves tensor data between files and tensors in bounded chunks, so reading or writing never needs a second
 * copy of the whole tensor as bytes. Callers validate sizes against the file before calling.
 */
final class TensorData {
    /** Bytes per chunk: a multiple of every element size. */
    static final int CHUNK = 1 << 20;

    private TensorData() {
    }

    /** Fills the buffer's remaining space, or throws {@link EOFException}. */
    @FunctionalInterface
    interface ByteSource {
        void readFully(ByteBuffer dst) throws IOException;
    }

    /** Reads sequentially from {@code channel} starting at {@code position}. */
    static ByteSource from(FileChannel channel, long position) {
        long[] at = {position};
        return dst -> {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, at[0]);
                if (n < 0) {
                    throw new EOFException("unexpected end of file at byte " + at[0]);
                }
                at[0] += n;
            }
        };
    }

    static ByteSource from(InputStream in) {
        return dst -> {
            int want = dst.remaining();
            int got = in.readNBytes(dst.array(), dst.arrayOffset() + dst.position(), want);
            if (got < want) {
                throw new EOFException("unexpected end of data (" + (want - got) + " bytes missing)");
            }
            dst.position(dst.position() + got);
        };
    }

    /** Reads {@code numel} elements of {@code type} (row-major, byte order {@code order}) into a new tensor. */
    static Tensor read(ByteSource src, ElementType type, ByteOrder order, long[] shape, int numel)
            throws IOException {
        Object array = type.newArray(numel);
        int perChunk = CHUNK / type.size;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, (long) numel * type.size)).order(order);
        for (int done = 0; done < numel; ) {
            int n = Math.min(perChunk, numel - done);
            buf.clear().limit(n * type.size);
            src.readFully(buf);
            buf.flip();
            type.decode(buf, array, done, n);
            done += n;
        }
        return type.toTensor(array, shape);
    }

    /** Writes {@code t}'s elements row-major in little-endian order (any layout: views are gathered first). */
    static void write(Tensor t, OutputStream out) throws IOException {
        ElementType type = ElementType.of(t.dtype());
        Object array = ElementType.hostArray(t);
        int numel = java.lang.reflect.Array.getLength(array);
        int perChunk = CHUNK / type.size;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, (long) numel * type.size))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < numel; ) {
            int n = Math.min(perChunk, numel - done);
            buf.clear();
            type.encode(array, done, n, buf);
            out.write(buf.array(), 0, buf.position());
            done += n;
        }
    }

    /** Bytes {@code t} occupies in a file: numel × element size. */
    static long byteSize(Tensor t) {
        return t.numel() * (long) ElementType.of(t.dtype()).size;
    }
}
