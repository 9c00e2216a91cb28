package dev.ember.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-file writes that are all-or-nothing: the content goes to a temporary file in the target's directory
 * (same file system, so the rename is atomic), is flushed to disk, and then renamed over the target. A crash
 * or exception mid-write leaves the previous file untouched and no temporary file behind. Every module writes
 * checkpoints, run files and images through here.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Produces the file's content. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} to {@code target} atomically, creating its directory if needed. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        write(target, out -> out.write(bytes));
    }

    /** Writes what {@code writer} produces to {@code target} atomically; the directory must exist. */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot write " + target + ": directory " + dir + " does not exist");
        }
        Path tmp = createTemp(dir, absolute.getFileName().toString());
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                writer.writeTo(out);
                out.flush();
                ch.force(true); // the data must be on disk before the rename makes it visible
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // same directory, so this only happens on exotic file systems; a plain replace is the best left
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
        syncDirectory(dir);
    }

    /**
     * A new hidden sibling. Created with {@code createFile} rather than {@code createTempFile}, so it gets the
     * usual permissions (umask) instead of owner-only ones, which the renamed file would keep.
     */
    private static Path createTemp(Path dir, String name) throws IOException {
        String stem = "." + name.substring(0, Math.min(name.length(), 100)) + ".";
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(stem + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    /** Makes the rename itself durable where the platform allows syncing a directory (Linux, macOS). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (e.g. Windows): the file itself is already on disk
        }
    }
}
