package dev.ember.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding and downloading the full MNIST files. No test reaches the internet: the offline error path uses a
 * closed local port, and downloads (checksums, sizes, mirrors, atomic writes) run against a server on localhost.
 */
class MnistFilesTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final Map<String, Boolean> chunked = new ConcurrentHashMap<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = served.get(path);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, chunked.containsKey(path) ? 0 : body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private URI base(String folder) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + folder + "/");
    }

    /** A base URL on a local port nothing listens on: connecting fails at once, as offline. */
    private static URI closedPort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port + "/mnist/");
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private void writeFourFiles(Path d) throws IOException {
        byte[] img = new byte[2 * 784];
        Idx.write(d.resolve("train-images-idx3-ubyte.gz"), new IdxArray(new int[] {2, 28, 28}, img), true);
        Idx.write(d.resolve("train-labels-idx1-ubyte"), new IdxArray(new int[] {2}, new byte[] {4, 2}), false);
        Idx.write(d.resolve("t10k-images.idx3-ubyte"), new IdxArray(new int[] {1, 28, 28}, new byte[784]), false);
        Idx.write(d.resolve("t10k-labels-idx1-ubyte.gz"), new IdxArray(new int[] {1}, new byte[] {7}), true);
    }

    @Test
    void aFolderWithTheFilesIsUsedWithoutNetwork() throws Exception {
        writeFourFiles(dir);
        Path found = MnistFiles.resolve(dir, true, List.of(closedPort()), new Downloader());
        assertEquals(dir, found);
        MnistData train = MnistFiles.load(dir, true, false);
        assertArrayEquals(new long[] {4, 2}, train.labels().toLongArray());
    }

    @Test
    void missingFilesWithoutDownloadAreNamed() {
        String m = assertThrows(IOException.class, () -> MnistFiles.resolve(dir, false)).getMessage();
        for (String name : MnistLayout.GZ_NAMES) {
            assertTrue(m.contains(name), m);
        }
        assertTrue(m.contains("download") && m.contains(dir.toString()), m);
    }

    @Test
    void offlineGivesAClearErrorAndLeavesNothing() throws Exception {
        Path target = dir.resolve("mnist");
        var e = assertThrows(IOException.class,
                () -> MnistFiles.resolve(target, true, List.of(closedPort()), new Downloader()));
        String m = e.getMessage();
        assertTrue(m.contains("offline") && m.contains("cannot connect") && m.contains("by hand")
                && m.contains("train-images-idx3-ubyte.gz"), m);
        try (Stream<Path> files = Files.list(target)) {
            assertEquals(0, files.count(), "no partial files");
        }
    }

    @Test
    void wrongBytesOnTheMirrorAreRejected() throws Exception {
        // a mirror serving the canonical names with other content: every file fails its size or checksum
        for (String name : MnistLayout.GZ_NAMES) {
            served.put("/bad/" + name, "not MNIST".getBytes(StandardCharsets.US_ASCII));
        }
        Path target = dir.resolve("mnist");
        String m = assertThrows(IOException.class,
                () -> MnistFiles.resolve(target, true, List.of(base("bad")), new Downloader())).getMessage();
        assertTrue(m.contains("server announces 9 bytes, expected 9912422"), m);
        try (Stream<Path> files = Files.list(target)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void downloaderChecksSizeAndChecksumAndFallsBackToTheNextMirror() throws Exception {
        byte[] good = "the real bytes of a data file".getBytes(StandardCharsets.US_ASCII);
        byte[] tampered = good.clone();
        tampered[3] ^= 1;
        var file = new Downloader.RemoteFile("data.bin", good.length, sha256(good));
        served.put("/tampered/data.bin", tampered);
        served.put("/good/data.bin", good);
        Downloader dl = new Downloader();

        String m = assertThrows(IOException.class, () -> dl.fetch(file, List.of(base("tampered")), dir))
                .getMessage();
        assertTrue(m.contains("SHA-256 mismatch") && m.contains(file.sha256()), m);
        assertTrue(Files.notExists(dir.resolve("data.bin")));

        Path got = dl.fetch(file, List.of(base("missing"), base("tampered"), base("good")), dir);
        assertArrayEquals(good, Files.readAllBytes(got));
        assertEquals(file.sha256(), Downloader.sha256(got));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("data.bin")), files.toList(), "no temporary files left");
        }

        // a body longer than announced in the file list (no Content-Length) is cut off and refused
        byte[] longer = new byte[good.length + 70_000];
        served.put("/long/data.bin", longer);
        chunked.put("/long/data.bin", true);
        m = assertThrows(IOException.class, () -> dl.fetch(file, List.of(base("long")), dir.resolve("x")))
                .getMessage();
        assertTrue(m.contains("larger than the expected " + good.length), m);
        m = assertThrows(IOException.class, () -> dl.fetch(file, List.of(base("missing")), dir.resolve("y")))
                .getMessage();
        assertTrue(m.contains("HTTP status 404"), m);
    }

    @Test
    void publishedChecksumsAreWellFormed() {
        assertEquals(4, MnistFiles.FILES.size());
        assertEquals(MnistLayout.GZ_NAMES, MnistFiles.FILES.stream().map(Downloader.RemoteFile::name).toList());
        assertThrows(IllegalArgumentException.class, () -> new Downloader.RemoteFile("../x", 1, "0".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> new Downloader.RemoteFile("x", 1, "ABC"));
        assertTrue(MnistFiles.defaultDir().endsWith("mnist"));
    }
}
