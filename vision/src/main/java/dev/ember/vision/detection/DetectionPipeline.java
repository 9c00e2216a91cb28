package dev.ember.vision.detection;

import dev.ember.Ember;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Training, evaluation and prediction as whole runs, writing the files of a {@link DetectionRunFiles} folder;
 * what {@code ember vision detect train|eval|predict} calls.
 *
 * <p>A dataset folder holds a {@code train/} split and a {@code test/} (or {@code val/}) split, each in COCO
 * or YOLO layout ({@link DetectionData#read}). {@link #generateShapes} makes such a folder.
 */
public final class DetectionPipeline {
    /** Images shown in {@code predictions.png}. */
    static final int GRID_IMAGES = 16;
    /** Scores below this are not drawn. */
    public static final double DRAW_THRESHOLD = 0.3;

    private DetectionPipeline() {
    }

    /**
     * How to train.
     *
     * @param data      dataset folder with train/ and test/ (or val/)
     * @param imageSize square model input, a multiple of 4
     * @param width     CenterNet width
     * @param train     optimisation settings (its seed also seeds initialisation)
     * @param device    where the model trains ({@code Device.cuda()} for a GPU); batches follow it
     */
    public record TrainOptions(Path data, int imageSize, int width, DetectionTrainer.Config train,
                               dev.ember.tensor.Device device) {
        /** On the CPU. */
        public TrainOptions(Path data, int imageSize, int width, DetectionTrainer.Config train) {
            this(data, imageSize, width, train, dev.ember.tensor.Device.CPU);
        }

        public TrainOptions {
            if (imageSize < 16 || imageSize % CenterNet.STRIDE != 0) {
                throw new IllegalArgumentException("image size must be a multiple of " + CenterNet.STRIDE
                        + " and at least 16, got " + imageSize);
            }
            if (width < 1) {
                throw new IllegalArgumentException("width must be >= 1, got " + width);
            }
        }
    }

    /** The outcome of a training run. */
    public record TrainResult(Detector detector, List<DetectionTrainer.EpochStats> history, double seconds) {
        public MeanAveragePrecision.Result finalEval() {
            return history.get(history.size() - 1).eval();
        }
    }

    /** Writes the shapes dataset (train/ and test/ splits) into {@code dir}. */
    public static void generateShapes(Path dir, int train, int test, ShapesDataset.Options options, long seed)
            throws IOException {
        ShapesDataset.write(dir.resolve("train"), train, options, seed);
        ShapesDataset.write(dir.resolve("test"), test, options, seed + 1);
    }

    /** The training split of a dataset folder. */
    public static DetectionData trainSplit(Path data) throws IOException {
        return DetectionData.read(data.resolve("train"));
    }

    /** The evaluation split of a dataset folder: test/, or val/ when there is no test/. */
    public static DetectionData evalSplit(Path data) throws IOException {
        Path test = data.resolve("test");
        Path val = data.resolve("val");
        return DetectionData.read(Files.isDirectory(test) || !Files.isDirectory(val) ? test : val);
    }

    /**
     * Trains a CenterNet on {@code o.data()}, evaluating after every epoch and writing {@code runDir}: the spec,
     * metrics and checkpoint after each epoch, the plots and the prediction grid at the end. {@code info}
     * receives a line about the data and one about the model.
     */
    public static TrainResult train(TrainOptions o, Path runDir, DetectionTrainer.Listener listener,
            Consumer<String> info)
            throws IOException {
        long start = System.nanoTime();
        DetectionData trainData = trainSplit(o.data());
        DetectionData valData = evalSplit(o.data());
        if (!trainData.classNames().equals(valData.classNames())) {
            throw new IOException("dataset " + o.data() + ": train classes " + trainData.classNames()
                    + " differ from evaluation classes " + valData.classNames());
        }
        info.accept(String.format(Locale.ROOT, "data %s: %d training images (%d objects), %d evaluation images (%d"
                + " objects), classes %s", o.data(), trainData.size(), trainData.numObjects(), valData.size(),
                valData.numObjects(), trainData.classNames()));
        DetectionTensors train = DetectionTensors.load(trainData, o.imageSize());
        DetectionTensors val = DetectionTensors.load(valData, o.imageSize());

        Ember.manualSeed(o.train().seed());
        // the dataset's absolute path, so that eval finds it from any working directory
        DetectorSpec spec = DetectorSpec.of(trainData.classNames(), o.imageSize(), o.width(),
                o.data().toAbsolutePath().normalize().toString());
        CenterNet model = spec.newModel();
        model.to(o.device());
        Detector detector = new Detector(model, spec);
        info.accept(String.format(Locale.ROOT, "model: CenterNet (width %d, %,d parameters), input %dx%d, output"
                + " stride %d", o.width(), model.numParameters(), o.imageSize(), o.imageSize(), CenterNet.STRIDE));

        DetectionRunFiles files = new DetectionRunFiles(runDir);
        files.writeSpec(spec);
        DetectionTrainer trainer = new DetectionTrainer(model, o.train());
        List<DetectionTrainer.EpochStats> history = new ArrayList<>();
        DetectionTrainer.Listener saving = new DetectionTrainer.Listener() {
            @Override
            public void epochStart(int epoch, int steps) {
                listener.epochStart(epoch, steps);
            }

            @Override
            public void step(int epoch, int step, double loss) {
                listener.step(epoch, step, loss);
            }

            @Override
            public void epochEnd(DetectionTrainer.EpochStats stats) {
                history.add(stats);
                try {
                    files.writeMetrics(history, spec.classNames());
                    detector.save(files.checkpoint(), trainer.optimizer(), stats.epoch(), trainer.globalStep());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                listener.epochEnd(stats);
            }
        };
        trainer.fit(train, val, saving);
        double seconds = (System.nanoTime() - start) / 1e9;

        files.write(files.trainingPlot(), DetectionPlots.training(history, "CenterNet on " + name(o.data())));
        writeEvaluation(detector, val, files, "validation (" + valData.size() + " images)");
        return new TrainResult(detector, history, seconds);
    }

    /** Evaluates {@code detector} on {@code split} and writes eval.txt, pr_curve.png and predictions.png. */
    public static MeanAveragePrecision.Result evaluate(Detector detector, DetectionData split, Path outDir, String what)
            throws IOException {
        DetectionTensors data = DetectionTensors.load(split, detector.spec().imageSize());
        return writeEvaluation(detector, data, new DetectionRunFiles(outDir), what);
    }

    private static MeanAveragePrecision.Result writeEvaluation(Detector detector, DetectionTensors data,
            DetectionRunFiles files, String what) throws IOException {
        List<List<Detection>> predictions = new ArrayList<>();
        MeanAveragePrecision.Result r = DetectionTrainer.evaluate(detector.model(), data, predictions);
        List<String> names = detector.spec().classNames();
        files.writeEvalReport(r, names, "evaluation on " + what + ", IoU 0.5, VOC all-point AP");
        files.write(files.prCurve(), DetectionPlots.prCurves(r, names,
                String.format(Locale.ROOT, "Precision-recall, IoU 0.5 (mAP %.3f)", r.map())));
        List<BufferedImage> tiles = new ArrayList<>();
        for (int i = 0; i < Math.min(GRID_IMAGES, data.size()); i++) {
            BufferedImage image = data.data().readImage(i);
            AnnotatedImage gt = data.data().images().get(i);
            double sx = (double) gt.width() / data.imageSize();
            double sy = (double) gt.height() / data.imageSize();
            List<Detection> shown = predictions.get(i).stream().filter(d -> d.score() >= DRAW_THRESHOLD)
                    .map(d -> d.scaled(sx, sy)).toList();
            int scale = Math.max(1, 256 / Math.max(image.getWidth(), image.getHeight()));
            BufferedImage tile = BoxDrawing.draw(image, shown, names, gt.boxes(), scale);
            tiles.add(tiles.isEmpty() || sameSize(tile, tiles.get(0)) ? tile
                    : ImageTensors.resize(tile, tiles.get(0).getWidth(), tiles.get(0).getHeight()));
        }
        if (!tiles.isEmpty()) {
            files.write(files.predictions(), BoxDrawing.png(BoxDrawing.grid(tiles, 4)));
        }
        return r;
    }

    private static boolean sameSize(BufferedImage a, BufferedImage b) {
        return a.getWidth() == b.getWidth() && a.getHeight() == b.getHeight();
    }

    private static String name(Path p) {
        Path f = p.toAbsolutePath().normalize().getFileName();
        return f == null ? p.toString() : f.toString();
    }
}
