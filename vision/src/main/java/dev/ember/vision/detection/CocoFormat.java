package dev.ember.vision.detection;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.ember.io.AtomicFiles;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * COCO object-detection annotations ({@code instances_*.json}): the subset detection needs.
 *
 * <pre>{@code
 * {"images":      [{"id": 1, "file_name": "000001.png", "width": 64, "height": 64}, ...],
 *  "annotations": [{"id": 1, "image_id": 1, "category_id": 2, "bbox": [x, y, width, height],
 *                   "area": 120.0, "iscrowd": 0}, ...],
 *  "categories":  [{"id": 1, "name": "circle"}, ...]}
 * }</pre>
 *
 * <p>Boxes are COCO's {@code [x, y, width, height]} in pixels. Category ids may be any distinct integers (COCO's
 * own run 1..90 with gaps); labels are their ranks, so the category with the smallest id is label 0. Crowd
 * annotations ({@code iscrowd: 1}) are skipped, as COCO's evaluation ignores them. Other keys are ignored.
 *
 * <p>The file is untrusted: every missing key, wrong type, unknown or duplicate id, box with non-positive
 * size, box outside its image (beyond half a pixel) or file name leaving the image folder is an
 * {@link IOException} naming the file, the entry (e.g. {@code annotations[3]}) and what was expected.
 */
public final class CocoFormat {
    /** The annotation file name in a split folder. */
    public static final String FILE_NAME = "annotations.json";

    /** Boxes may overhang their image by this much (rounding in tools that wrote them). */
    static final double TOLERANCE = 0.5;

    private CocoFormat() {
    }

    /** Reads {@code annotationFile}; image file names are relative to {@code imageDir}. */
    public static DetectionData read(Path annotationFile, Path imageDir) throws IOException {
        String where = "COCO annotations " + annotationFile;
        JsonObject root;
        try (Reader r = Files.newBufferedReader(annotationFile, StandardCharsets.UTF_8)) {
            JsonReader reader = new JsonReader(r);
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (!atEnd(reader)) {
                throw new IOException(where + ": unexpected content after the JSON value");
            }
            if (!e.isJsonObject()) {
                throw new IOException(where + ": expected a JSON object at the top level, got " + kind(e));
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(where + ": not valid JSON (" + e.getMessage() + ")", e);
        }

        // categories: id -> label by rank of id
        JsonArray cats = array(root, "categories", where);
        TreeMap<Long, String> byId = new TreeMap<>();
        for (int i = 0; i < cats.size(); i++) {
            String at = where + ": categories[" + i + "]";
            JsonObject c = object(cats.get(i), at);
            long id = integer(c, "id", at);
            String name = string(c, "name", at);
            if (byId.put(id, name) != null) {
                throw new IOException(at + ": duplicate category id " + id);
            }
        }
        if (byId.isEmpty()) {
            throw new IOException(where + ": \"categories\" is empty; at least one category is needed");
        }
        Map<Long, Integer> labelOf = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Map.Entry<Long, String> e : byId.entrySet()) {
            labelOf.put(e.getKey(), names.size());
            names.add(e.getValue());
        }

        // images
        JsonArray ims = array(root, "images", where);
        Map<Long, Integer> indexOf = new HashMap<>();
        List<String> files = new ArrayList<>();
        List<int[]> sizes = new ArrayList<>();
        Set<String> seenFiles = new HashSet<>();
        for (int i = 0; i < ims.size(); i++) {
            String at = where + ": images[" + i + "]";
            JsonObject im = object(ims.get(i), at);
            long id = integer(im, "id", at);
            String file = string(im, "file_name", at);
            DetectionData.inside(imageDir, file, at);
            long w = integer(im, "width", at);
            long h = integer(im, "height", at);
            if (w < 1 || h < 1 || w > 1 << 16 || h > 1 << 16) {
                throw new IOException(at + ": width and height must be in 1..65536, got " + w + "x" + h);
            }
            if (indexOf.put(id, i) != null) {
                throw new IOException(at + ": duplicate image id " + id);
            }
            if (!seenFiles.add(file)) {
                throw new IOException(at + ": file_name \"" + file + "\" appears twice");
            }
            files.add(file);
            sizes.add(new int[] {(int) w, (int) h});
        }

        // annotations
        List<List<double[]>> boxes = new ArrayList<>();
        List<List<Integer>> labels = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            boxes.add(new ArrayList<>());
            labels.add(new ArrayList<>());
        }
        JsonArray anns = array(root, "annotations", where);
        for (int i = 0; i < anns.size(); i++) {
            String at = where + ": annotations[" + i + "]";
            JsonObject a = object(anns.get(i), at);
            long imageId = integer(a, "image_id", at);
            Integer index = indexOf.get(imageId);
            if (index == null) {
                throw new IOException(at + ": image_id " + imageId + " is not the id of any entry in \"images\"");
            }
            long categoryId = integer(a, "category_id", at);
            Integer label = labelOf.get(categoryId);
            if (label == null) {
                throw new IOException(at + ": category_id " + categoryId + " is not in \"categories\" (ids "
                        + byId.keySet() + ")");
            }
            if (a.has("iscrowd") && integer(a, "iscrowd", at) != 0) {
                continue;
            }
            double[] bbox = bbox(a, at);
            int[] size = sizes.get(index);
            if (bbox[0] < -TOLERANCE || bbox[1] < -TOLERANCE || bbox[0] + bbox[2] > size[0] + TOLERANCE
                    || bbox[1] + bbox[3] > size[1] + TOLERANCE) {
                throw new IOException(at + ": bbox " + java.util.Arrays.toString(bbox) + " ([x, y, width, height])"
                        + " lies outside its image " + files.get(index) + " of " + size[0] + "x" + size[1]);
            }
            boxes.get(index).add(new double[] {bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]});
            labels.get(index).add(label);
        }
        List<AnnotatedImage> images = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            images.add(new AnnotatedImage(files.get(i), sizes.get(i)[0], sizes.get(i)[1],
                    boxes.get(i).toArray(double[][]::new), labels.get(i).stream().mapToInt(Integer::intValue).toArray()));
        }
        return new DetectionData(names, images, imageDir);
    }

    /**
     * Writes {@code data} as COCO JSON to {@code annotationFile} (atomically): image ids 1..N in order,
     * category ids 1..C for labels 0..C-1, annotation ids 1..M.
     */
    public static void write(Path annotationFile, DetectionData data) throws IOException {
        JsonArray images = new JsonArray();
        JsonArray annotations = new JsonArray();
        int annId = 1;
        for (int i = 0; i < data.size(); i++) {
            AnnotatedImage im = data.images().get(i);
            JsonObject o = new JsonObject();
            o.addProperty("id", i + 1);
            o.addProperty("file_name", im.fileName());
            o.addProperty("width", im.width());
            o.addProperty("height", im.height());
            images.add(o);
            for (int k = 0; k < im.size(); k++) {
                double[] b = im.box(k);
                JsonObject a = new JsonObject();
                a.addProperty("id", annId++);
                a.addProperty("image_id", i + 1);
                a.addProperty("category_id", im.label(k) + 1);
                JsonArray bbox = new JsonArray();
                bbox.add(b[0]);
                bbox.add(b[1]);
                bbox.add(b[2] - b[0]);
                bbox.add(b[3] - b[1]);
                a.add("bbox", bbox);
                a.addProperty("area", (b[2] - b[0]) * (b[3] - b[1]));
                a.addProperty("iscrowd", 0);
                annotations.add(a);
            }
        }
        JsonArray categories = new JsonArray();
        for (int c = 0; c < data.numClasses(); c++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", c + 1);
            o.addProperty("name", data.classNames().get(c));
            o.addProperty("supercategory", "shape");
            categories.add(o);
        }
        // one entry per line: readable, diffable, and still plain JSON
        StringBuilder sb = new StringBuilder("{\n");
        appendArray(sb, "images", images);
        sb.append(",\n");
        appendArray(sb, "annotations", annotations);
        sb.append(",\n");
        appendArray(sb, "categories", categories);
        sb.append("\n}\n");
        AtomicFiles.write(annotationFile, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void appendArray(StringBuilder sb, String key, JsonArray a) {
        sb.append("\"").append(key).append("\": [");
        for (int i = 0; i < a.size(); i++) {
            sb.append(i == 0 ? "\n  " : ",\n  ").append(a.get(i));
        }
        sb.append(a.isEmpty() ? "]" : "\n]");
    }

    private static boolean atEnd(JsonReader reader) {
        try {
            return reader.peek() == JsonToken.END_DOCUMENT;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static double[] bbox(JsonObject a, String at) throws IOException {
        JsonElement e = a.get("bbox");
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() != 4) {
            throw new IOException(at + ": \"bbox\" must be an array of 4 numbers [x, y, width, height], got "
                    + (e == null ? "nothing" : e));
        }
        double[] b = new double[4];
        for (int k = 0; k < 4; k++) {
            JsonElement v = e.getAsJsonArray().get(k);
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || !Double.isFinite(v.getAsDouble())) {
                throw new IOException(at + ": \"bbox\" must hold 4 finite numbers, got " + e);
            }
            b[k] = v.getAsDouble();
        }
        if (!(b[2] > 0) || !(b[3] > 0)) {
            throw new IOException(at + ": \"bbox\" " + e + " has width or height <= 0 ([x, y, width, height])");
        }
        return b;
    }

    private static JsonArray array(JsonObject o, String key, String where) throws IOException {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonArray()) {
            throw new IOException(where + ": expected an array \"" + key + "\" at the top level, got "
                    + (e == null ? "nothing" : kind(e)));
        }
        return e.getAsJsonArray();
    }

    private static JsonObject object(JsonElement e, String at) throws IOException {
        if (!e.isJsonObject()) {
            throw new IOException(at + ": expected an object, got " + kind(e));
        }
        return e.getAsJsonObject();
    }

    private static long integer(JsonObject o, String key, String at) throws IOException {
        JsonElement e = o.get(key);
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            double d = p.getAsDouble();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return (long) d;
            }
        }
        throw new IOException(at + ": \"" + key + "\" must be an integer, got " + (e == null ? "nothing" : e));
    }

    private static String string(JsonObject o, String key, String at) throws IOException {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IOException(at + ": \"" + key + "\" must be a string, got " + (e == null ? "nothing" : e));
        }
        return e.getAsString();
    }

    private static String kind(JsonElement e) {
        return e.isJsonArray() ? "an array" : e.isJsonObject() ? "an object" : e.isJsonNull() ? "null" : e.toString();
    }
}
