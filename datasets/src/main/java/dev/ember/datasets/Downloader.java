package dev.ember.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Downloads a data file over HTTP(S) with {@code java.net.http}, checking its size and SHA-256 before it
 * appears under its name: the body is written to a temporary file beside the target while being hashed, and
 * renamed only if the size and checksum match, so an interrupted or tampered download never leaves a file that
 * looks complete. Mirrors are tried in order; every failure is reported in the final exception.
 */
public final class Downloader {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient client;

    /** A downloader with its own HTTP client (redirects followed, 20 s connect timeout). */
    public Downloader() {
        this(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(CONNECT_TIMEOUT)
                .build());
    }

    public Downloader(HttpClient client) {
        if (client == null) {
            throw new IllegalArgumentException("Downloader: client must not be null");
        }
        this.client = client;
    }

    /**
     * A file to fetch: its name under a mirror's base URL, its size in bytes and its SHA-256 (lower-case hex).
     */
    public record RemoteFile(String name, long size, String sha256) {
        public RemoteFile {
            if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new IllegalArgumentException("RemoteFile: bad file name '" + name + "'");
            }
            if (size < 0) {
                throw new IllegalArgumentException("RemoteFile: size must be >= 0, got " + size);
            }
            if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("RemoteFile: sha256 must be 64 lower-case hex digits, got "
                        + sha256);
            }
        }
    }

    /**
     * Fetches {@code file} into {@code dir} from the first mirror that serves it intact.
     *
     * @param mirrors base URLs ending in {@code /}; the file's URL is {@code mirror + name}
     * @return the downloaded file, {@code dir/name}
     * @throws IOException if no mirror gave the file with the right size and checksum (offline included); the
     *     message lists every mirror's failure
     */
    public Path fetch(RemoteFile file, List<URI> mirrors, Path dir) throws IOException {
        if (mirrors == null || mirrors.isEmpty()) {
            throw new IllegalArgumentException("Downloader: no mirrors for " + file.name());
        }
        Files.createDirectories(dir);
        Path target = dir.resolve(file.name());
        List<String> failures = new ArrayList<>();
        for (URI mirror : mirrors) {
            URI uri = mirror.resolve(file.name());
            try {
                fetchOne(uri, file, target);
                return target;
            } catch (IOException e) {
                failures.add(uri + ": " + describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("download of " + file.name() + " interrupted", e);
            }
        }
        throw new IOException("could not download " + file.name() + " (" + String.join("; ", failures) + ")");
    }

    private void fetchOne(URI uri, RemoteFile file, Path target) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(RESPONSE_TIMEOUT).GET().build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP status " + response.statusCode());
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared >= 0 && declared != file.size()) {
                throw new IOException("server announces " + declared + " bytes, expected " + file.size());
            }
            Path tmp = target.resolveSibling("." + file.name() + "." + Long.toHexString(System.nanoTime()) + ".part");
            try {
                MessageDigest sha = sha256();
                long n = copy(body, tmp, sha, file.size());
                if (n != file.size()) {
                    throw new IOException("got " + n + " bytes, expected " + file.size());
                }
                String got = HexFormat.of().formatHex(sha.digest());
                if (!got.equals(file.sha256())) {
                    throw new IOException("SHA-256 mismatch: got " + got + ", expected " + file.sha256());
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Copies at most {@code limit + 1} bytes (enough to see an oversized body) into {@code tmp}, hashing them. */
    private static long copy(InputStream in, Path tmp, MessageDigest sha, long limit) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            int r;
            while ((r = in.read(buf)) >= 0) {
                total += r;
                if (total > limit) {
                    throw new IOException("body is larger than the expected " + limit + " bytes");
                }
                sha.update(buf, 0, r);
                out.write(buf, 0, r);
            }
        }
        return total;
    }

    /** The SHA-256 of a file, lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) >= 0) {
                sha.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String describe(IOException e) {
        String name = e.getClass().getSimpleName();
        String msg = e.getMessage();
        if (e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException
                || e instanceof java.net.http.HttpConnectTimeoutException || e.getCause() instanceof
                java.nio.channels.UnresolvedAddressException) {
            return "cannot connect (" + name + (msg == null ? "" : ": " + msg) + ")";
        }
        return msg == null ? name : msg;
    }
}
