package dev.ember.vision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COCO and YOLO annotations: round trips through the generated dataset, and clear errors for malformed files. */
class AnnotationFormatsTest {

    @TempDir
    Path tmp;

    private static final String IMAGES = "\"images\": [{\"id\": 7, \"file_name\": \"a.png\", \"width\": 40, \"height\": 30}]";
    private static final String CATEGORIES = "\"categories\": [{\"id\": 3, \"name\": \"dog\"}, {\"id\": 1, \"name\": \"cat\"}]";

    private DetectionData coco(String json) throws IOException {
        Path f = tmp.resolve("annotations.json");
        Files.writeString(f, json, StandardCharsets.UTF_8);
        return CocoFormat.read(f, tmp.resolve("images"));
    }

    private String cocoError(String json) {
        return assertThrows(IOException.class, () -> coco(json)).getMessage();
    }

    @Test
    void shapesSplitReadsTheSameInBothFormats() throws IOException {
        ShapesDataset.Options o = new ShapesDataset.Options(32, 1, 3, 6, 14, 8);
        DetectionData written = ShapesDataset.write(tmp.resolve("train"), 5, o, 3);
        DetectionData coco = CocoFormat.read(tmp.resolve("train/annotations.json"), tmp.resolve("train/images"));
        DetectionData yolo = YoloFormat.read(tmp.resolve("train"));
        assertEquals(ShapesDataset.CLASSES, coco.classNames());
        assertEquals(ShapesDataset.CLASSES, yolo.classNames());
        assertEquals(5, coco.size());
        for (int i = 0; i < 5; i++) {
            AnnotatedImage c = coco.images().get(i);
            AnnotatedImage y = yolo.images().get(i);
            ShapesDataset.Sample s = ShapesDataset.sample(o, 3, i);
            assertArrayEquals(s.labels(), c.labels());
            assertArrayEquals(s.labels(), y.labels());
            assertEquals(32, y.width());
            for (int k = 0; k < c.size(); k++) {
                assertArrayEquals(s.boxes()[k], c.box(k), 1e-12, "COCO keeps exact pixels");
                assertArrayEquals(s.boxes()[k], y.box(k), 1e-4, "YOLO keeps 6 decimals of the fractions");
            }
            assertEquals(written.images().get(i).fileName(), c.fileName());
        }
        // read() picks COCO when annotations.json exists, YOLO otherwise
        assertEquals(coco.images().get(0).fileName(), DetectionData.read(tmp.resolve("train")).images().get(0).fileName());
        Files.delete(tmp.resolve("train/annotations.json"));
        assertEquals(5, DetectionData.read(tmp.resolve("train")).size());
    }

    @Test
    void cocoCategoryIdsBecomeLabelsByRankAndCrowdIsSkipped() throws IOException {
        DetectionData d = coco("{" + IMAGES + ", " + CATEGORIES + ", \"annotations\": ["
                + "{\"id\": 1, \"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, 10, 5]},"
                + "{\"id\": 2, \"image_id\": 7, \"category_id\": 1, \"bbox\": [0, 0, 40, 30], \"iscrowd\": 1},"
                + "{\"id\": 3, \"image_id\": 7, \"category_id\": 1, \"bbox\": [20.5, 10, 4, 4], \"iscrowd\": 0}]}");
        assertEquals(java.util.List.of("cat", "dog"), d.classNames());
        AnnotatedImage im = d.images().get(0);
        assertArrayEquals(new int[] {1, 0}, im.labels());
        assertArrayEquals(new double[] {1, 2, 11, 7}, im.box(0), 0);
        assertArrayEquals(new double[] {20.5, 10, 24.5, 14}, im.box(1), 0);
    }

    @Test
    void malformedCocoFilesNameTheProblem() {
        String ann = ", \"annotations\": [%s]}";
        String ok = "{" + IMAGES + ", " + CATEGORIES;
        assertTrue(cocoError("not json").contains("not valid JSON"));
        assertTrue(cocoError("{" + IMAGES + "} trailing").contains("after the JSON value")
                || cocoError("{" + IMAGES + "} trailing").contains("not valid JSON"));
        assertTrue(cocoError("[1, 2]").contains("top level"));
        assertTrue(cocoError("{" + IMAGES + ", " + CATEGORIES + "}").contains("\"annotations\""));
        String e = cocoError(ok + ann.formatted("{\"id\": 1, \"image_id\": 7, \"category_id\": 3}"));
        assertTrue(e.contains("annotations[0]") && e.contains("\"bbox\""), e);
        e = cocoError(ok + ann.formatted("{\"id\": 1, \"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, -3, 4]}"));
        assertTrue(e.contains("width or height <= 0"), e);
        e = cocoError(ok + ann.formatted("{\"id\": 1, \"image_id\": 7, \"category_id\": 3, \"bbox\": [1, 2, \"a\", 4]}"));
        assertTrue(e.contains("4 finite numbers"), e);
        e = cocoError(ok + ann.formatted("{\"id\": 1, \"image_id\": 8, \"category_id\": 3, \"bbox\": [1, 2, 3, 4]}"));
        assertTrue(e.contains("image_id 8"), e);
        e = cocoError(ok + ann.formatted("{\"id\": 1, \"image_id\": 7, \"category_id\": 2, \"bbox\": [1, 2, 3, 4]}"));
        assertTrue(e.contains("category_id 2") && e.contains("[1, 3]"), e);
        e = cocoError(ok + ann.formatted("{\"id\": 1, \"image_id\": 7, \"category_id\": 3, \"bbox\": [30, 2, 20, 4]}"));
        assertTrue(e.contains("outside its image") && e.contains("40x30"), e);
        e = cocoError("{\"images\": [{\"id\": 1, \"file_name\": \"../../etc/passwd\", \"width\": 4, \"height\": 4}], "
                + CATEGORIES + ", \"annotations\": []}");
        assertTrue(e.contains("images[0]") && e.contains("relative path inside"), e);
        e = cocoError("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4},"
                + " {\"id\": 1, \"file_name\": \"b.png\", \"width\": 4, \"height\": 4}], " + CATEGORIES
                + ", \"annotations\": []}");
        assertTrue(e.contains("duplicate image id 1"), e);
        e = cocoError("{\"images\": [{\"id\": 1.5, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], "
                + CATEGORIES + ", \"annotations\": []}");
        assertTrue(e.contains("\"id\" must be an integer"), e);
        e = cocoError("{" + IMAGES + ", \"categories\": [], \"annotations\": []}");
        assertTrue(e.contains("\"categories\" is empty"), e);
        e = cocoError("{" + IMAGES + ", \"categories\": [{\"id\": 1, \"name\": \"a\"}, {\"id\": 1, \"name\": \"b\"}],"
                + " \"annotations\": []}");
        assertTrue(e.contains("duplicate category id 1"), e);
    }

    private Path yoloSplit(String labels) throws IOException {
        Path dir = tmp.resolve("yolo");
        ShapesDataset.write(dir, 1, new ShapesDataset.Options(32, 1, 1, 6, 10, 0), 0);
        Files.delete(dir.resolve("annotations.json"));
        Files.writeString(dir.resolve("labels/000000.txt"), labels, StandardCharsets.UTF_8);
        return dir;
    }

    private String yoloError(String labels) throws IOException {
        Path dir = yoloSplit(labels);
        return assertThrows(IOException.class, () -> YoloFormat.read(dir)).getMessage();
    }

    @Test
    void yoloLinesAreValidated() throws IOException {
        DetectionData d = YoloFormat.read(yoloSplit("2 0.5 0.5 0.25 0.5\n\n0 0.125 0.25 0.25 0.5\n"));
        assertArrayEquals(new int[] {2, 0}, d.images().get(0).labels());
        assertArrayEquals(new double[] {12, 8, 20, 24}, d.images().get(0).box(0), 1e-12);
        assertArrayEquals(new double[] {0, 0, 8, 16}, d.images().get(0).box(1), 1e-12);

        String e = yoloError("1 0.5 0.5 0.2\n");
        assertTrue(e.contains("line 1") && e.contains("expected 5 fields"), e);
        e = yoloError("0 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.2 0.2\n");
        assertTrue(e.contains("line 2") && e.contains("class 3 is out of range 0..2"), e);
        e = yoloError("x 0.5 0.5 0.2 0.2\n");
        assertTrue(e.contains("class must be an integer"), e);
        e = yoloError("0 12 10 8 8\n");
        assertTrue(e.contains("fractions of the image size"), e);
        e = yoloError("0 0.5 0.5 0 0.2\n");
        assertTrue(e.contains("width and height must be > 0"), e);
        e = yoloError("0 0.5 NaN 0.1 0.2\n");
        assertTrue(e.contains("must be finite"), e);
    }

    @Test
    void missingFoldersAndImages() throws IOException {
        String e = assertThrows(IOException.class, () -> DetectionData.read(tmp.resolve("nowhere"))).getMessage();
        assertTrue(e.contains("neither annotations.json") && e.contains("does not exist"), e);
        Files.writeString(tmp.resolve("annotations.json"), "{" + IMAGES + ", " + CATEGORIES + ", \"annotations\": []}");
        DetectionData d = DetectionData.read(tmp);
        e = assertThrows(IOException.class, () -> d.readImage(0)).getMessage();
        assertTrue(e.contains("a.png") && e.contains("no such file"), e);
        Files.createDirectories(tmp.resolve("images"));
        Files.writeString(tmp.resolve("images/a.png"), "not a png");
        e = assertThrows(IOException.class, () -> d.readImage(0)).getMessage();
        assertTrue(e.contains("a.png"), e);
    }
}
