package dev.ember.vision.io;

import dev.ember.data.Dataset;
import dev.ember.tensor.DType;
import dev.ember.tensor.Generator;
import dev.ember.tensor.Tensor;
import dev.ember.vision.transforms.Transform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * torchvision's {@code ImageFolder}: images in one sub-folder per class, {@code root/dog/xxx.png},
 * {@code root/cat/123.jpg}. Classes are the sub-folder names sorted (Python's code-point order) and numbered from
 * 0; files are found recursively (following links) and kept if their lower-cased name ends with an allowed
 * extension; samples are ordered by folder path, then file name, as torchvision's
 * {@code sorted(os.walk(...))}. A class folder without any image is an error, as in torchvision 0.14.
 *
 * <p>Sample {@code i} is {@code [image, label]}: the loaded image (by default {@link Images#read} in
 * {@link ImageReadMode#RGB}, like torchvision's loader's {@code convert("RGB")}) after the transform, and the
 * class index as a zero-dim int64 tensor, so the default collate makes batches {@code [images (B, C, H, W),
 * labels (B)]}.
 *
 * <p>Random transforms draw from the default generator, unless the dataset has a seed: then sample {@code i} of
 * epoch {@code e} (see {@link #setEpoch}) draws from a generator seeded from {@code (seed, e, i)}, so the
 * augmentation is reproducible and independent of DataLoader worker timing, and differs between epochs.
 */
public final class ImageFolder implements Dataset<List<Tensor>> {
    /** The extensions kept by default: torchvision's {@code IMG_EXTENSIONS} that ImageIO reads, plus GIF. */
    public static final List<String> IMG_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff",
            ".gif");

    /** Loads one image file as a tensor. */
    @FunctionalInterface
    public interface Loader {
        Tensor load(Path file) throws IOException;
    }

    /** A file and its class index. */
    public record Sample(Path path, int label) {
    }

    private final Path root;
    private final List<String> classes;
    private final Map<String, Integer> classToIdx;
    private final List<Sample> samples;
    private final Loader loader;
    private final Transform transform;
    private final Long seed;
    private volatile long epoch;

    /** All images under {@code root} with the default extensions and loader, no transform. */
    public ImageFolder(Path root) throws IOException {
        this(builder(root));
    }

    /** All images under {@code root} with the default extensions and loader, then {@code transform}. */
    public ImageFolder(Path root, Transform transform) throws IOException {
        this(builder(root).transform(transform));
    }

    private ImageFolder(Builder b) throws IOException {
        this.root = b.root;
        this.classes = findClasses(b.root);
        Map<String, Integer> idx = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            idx.put(classes.get(i), i);
        }
        this.classToIdx = java.util.Collections.unmodifiableMap(idx);
        Predicate<Path> valid = b.isValidFile != null ? b.isValidFile : p -> hasExtension(p, b.extensions);
        this.samples = List.copyOf(makeDataset(b.root, classes, valid, b.isValidFile != null ? null : b.extensions));
        this.loader = b.loader;
        this.transform = b.transform;
        this.seed = b.seed;
    }

    /** Options beyond the root folder; {@link Builder#build()} scans the folder. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /**
     * torchvision's {@code find_classes}: the names of the sub-folders of {@code root}, sorted.
     *
     * @throws IOException if {@code root} is not a folder or has no sub-folders
     */
    public static List<String> findClasses(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("ImageFolder: " + root + " is not a folder");
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path e : entries) {
                if (Files.isDirectory(e)) {
                    names.add(e.getFileName().toString());
                }
            }
        }
        if (names.isEmpty()) {
            throw new IOException("ImageFolder: couldn't find any class folder in " + root
                    + " (expected one sub-folder per class, e.g. " + root.resolve("cat") + ")");
        }
        names.sort(CODE_POINT_ORDER);
        return List.copyOf(names);
    }

    private static List<Sample> makeDataset(Path root, List<String> classes, Predicate<Path> valid,
            List<String> extensions) throws IOException {
        List<Sample> out = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            Map<String, List<Path>> byFolder = new java.util.TreeMap<>(CODE_POINT_ORDER);
            walk(root.resolve(classes.get(label)), byFolder, new HashSet<>());
            int before = out.size();
            for (List<Path> files : byFolder.values()) {
                files.sort(Comparator.comparing(p -> p.getFileName().toString(), CODE_POINT_ORDER));
                for (Path f : files) {
                    if (valid.test(f)) {
                        out.add(new Sample(f, label));
                    }
                }
            }
            if (out.size() == before) {
                empty.add(classes.get(label));
            }
        }
        if (!empty.isEmpty()) {
            throw new IOException("ImageFolder: found no valid file for the classes " + String.join(", ", empty)
                    + " in " + root + (extensions == null ? "" : ". Supported extensions are: "
                    + String.join(", ", extensions)));
        }
        return out;
    }

    /** os.walk(followlinks=True): every folder's non-folder entries, keyed by the folder's path string. */
    private static void walk(Path dir, Map<String, List<Path>> byFolder, Set<Path> seen) throws IOException {
        Path real = dir.toRealPath();
        if (!seen.add(real)) {
            return; // a link back up the tree: os.walk would loop
        }
        List<Path> files = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                (Files.isDirectory(e) ? dirs : files).add(e);
            }
        }
        byFolder.put(dir.toString(), files);
        for (Path d : dirs) {
            walk(d, byFolder, seen);
        }
    }

    private static boolean hasExtension(Path file, List<String> extensions) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String ext : extensions) {
            if (name.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }

    /** Python's string order: by code point (Java's compareTo orders UTF-16 units, which differs above U+FFFF). */
    private static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /** The root folder. */
    public Path root() {
        return root;
    }

    /** The class names, sorted; class {@code i} is {@code classes().get(i)}. */
    public List<String> classes() {
        return classes;
    }

    /** Class name to index. */
    public Map<String, Integer> classToIdx() {
        return classToIdx;
    }

    /** Every sample's file and label, in dataset order. */
    public List<Sample> samples() {
        return samples;
    }

    /** Every sample's label, in dataset order (torchvision's {@code targets}). */
    public int[] targets() {
        int[] t = new int[samples.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = samples.get(i).label();
        }
        return t;
    }

    /** Sets the epoch that, with the seed, picks each sample's random generator (no effect without a seed). */
    public void setEpoch(long epoch) {
        this.epoch = epoch;
    }

    @Override
    public int size() {
        return samples.size();
    }

    /**
     * {@code [image, label]}: the transformed image and the class index (int64, zero-dim).
     *
     * @throws UncheckedIOException if the file cannot be loaded (the message names it)
     */
    @Override
    public List<Tensor> get(int index) {
        if (index < 0 || index >= samples.size()) {
            throw new IndexOutOfBoundsException("ImageFolder: index " + index + " is out of range for "
                    + samples.size() + " samples");
        }
        Sample s = samples.get(index);
        Tensor img;
        try {
            img = loader.load(s.path());
        } catch (IOException e) {
            throw new UncheckedIOException("ImageFolder: cannot load sample " + index + " (" + s.path() + "): "
                    + e.getMessage(), e);
        }
        if (transform != null) {
            img = transform.apply(img, generatorFor(index));
        }
        return List.of(img, Tensor.scalar(DType.INT64, s.label()));
    }

    /** The generator sample {@code index} draws from in the current epoch. */
    Generator generatorFor(int index) {
        if (seed == null) {
            return Generator.defaultGenerator();
        }
        long z = mix(seed + 0x9E3779B97F4A7C15L * (epoch + 1));
        return new Generator(mix(z + 0xC2B2AE3D27D4EB4FL * (index + 1L)));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    @Override
    public String toString() {
        return "ImageFolder(root=" + root + ", classes=" + classes.size() + ", samples=" + samples.size()
                + (transform == null ? "" : ", transform=" + transform) + ")";
    }

    /** Options of an {@link ImageFolder}. */
    public static final class Builder {
        private final Path root;
        private List<String> extensions = IMG_EXTENSIONS;
        private Predicate<Path> isValidFile;
        private Loader loader = file -> Images.read(file, ImageReadMode.RGB);
        private Transform transform;
        private Long seed;

        private Builder(Path root) {
            if (root == null) {
                throw new IllegalArgumentException("ImageFolder: root must not be null");
            }
            this.root = root;
        }

        /** The file extensions kept, e.g. {@code ".png"} (compared with the lower-cased file name). */
        public Builder extensions(String... extensions) {
            if (extensions == null || extensions.length == 0) {
                throw new IllegalArgumentException("ImageFolder: extensions must not be empty");
            }
            List<String> ext = new ArrayList<>();
            for (String e : extensions) {
                if (e == null || e.isEmpty()) {
                    throw new IllegalArgumentException("ImageFolder: empty extension in " + List.of(extensions));
                }
                ext.add(e.toLowerCase(Locale.ROOT));
            }
            this.extensions = List.copyOf(ext);
            this.isValidFile = null;
            return this;
        }

        /** Keeps the files this accepts instead of filtering by extension (torchvision's {@code is_valid_file}). */
        public Builder isValidFile(Predicate<Path> isValidFile) {
            if (isValidFile == null) {
                throw new IllegalArgumentException("ImageFolder: isValidFile must not be null");
            }
            this.isValidFile = isValidFile;
            return this;
        }

        /** How a file becomes a tensor; the default reads it as RGB. */
        public Builder loader(Loader loader) {
            if (loader == null) {
                throw new IllegalArgumentException("ImageFolder: loader must not be null");
            }
            this.loader = loader;
            return this;
        }

        /** The transform applied to every loaded image (null: none). */
        public Builder transform(Transform transform) {
            this.transform = transform;
            return this;
        }

        /** Seeds every sample's random transform from {@code (seed, epoch, index)}. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Scans the folder. */
        public ImageFolder build() throws IOException {
            return new ImageFolder(this);
        }
    }
}
