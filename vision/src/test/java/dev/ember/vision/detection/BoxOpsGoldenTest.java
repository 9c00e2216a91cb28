package dev.ember.vision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link BoxOps} against {@code torchvision.ops} (fixtures from tools/make_detection_golden.py in
 * detection/boxes.json): box_convert for every pair of formats, box_area, box_iou, nms (clustered boxes at
 * several thresholds, equal scores, empty input), batched_nms, clip_boxes_to_image and remove_small_boxes.
 * Index outputs must match exactly; float outputs to 1e-12 (float64) or 1e-6 (float32) relative.
 */
class BoxOpsGoldenTest {

    @TestFactory
    Stream<DynamicTest> matchesTorchvision() throws Exception {
        JsonObject root;
        try (var in = BoxOpsGoldenTest.class.getResourceAsStream("/detection/boxes.json")) {
            assertNotNull(in, "detection/boxes.json missing from test resources");
            root = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> run(c)));
        }
        assertTrue(tests.size() >= 30, "expected the full fixture set, found " + tests.size());
        return tests.stream();
    }

    private static void run(JsonObject c) {
        String name = c.get("name").getAsString();
        JsonObject in = c.getAsJsonObject("inputs");
        JsonObject args = c.getAsJsonObject("args");
        Tensor out = switch (c.get("op").getAsString()) {
            case "box_convert" -> BoxOps.boxConvert(tensor(in.get("boxes")), args.get("in_fmt").getAsString(),
                    args.get("out_fmt").getAsString());
            case "box_area" -> BoxOps.boxArea(tensor(in.get("boxes")));
            case "box_iou" -> BoxOps.boxIou(tensor(in.get("boxes1")), tensor(in.get("boxes2")));
            case "nms" -> BoxOps.nms(tensor(in.get("boxes")), tensor(in.get("scores")),
                    args.get("iou_threshold").getAsDouble());
            case "batched_nms" -> BoxOps.batchedNms(tensor(in.get("boxes")), tensor(in.get("scores")),
                    tensor(in.get("idxs")), args.get("iou_threshold").getAsDouble());
            case "clip_boxes_to_image" -> BoxOps.clipBoxesToImage(tensor(in.get("boxes")),
                    args.get("height").getAsLong(), args.get("width").getAsLong());
            case "remove_small_boxes" -> BoxOps.removeSmallBoxes(tensor(in.get("boxes")),
                    args.get("min_size").getAsDouble());
            default -> throw new AssertionError("unknown op " + c.get("op"));
        };
        Tensor expected = tensor(c.get("output"));
        assertArrayEquals(expected.shape(), out.shape(), name + ": shape");
        assertEquals(expected.dtype(), out.dtype(), name + ": dtype");
        if (expected.dtype() == DType.INT64) {
            assertArrayEquals(expected.toLongArray(), out.toLongArray(), name + ": indices");
            return;
        }
        double[] want = expected.toDoubleArray();
        double[] got = out.toDoubleArray();
        double scale = 1e-30;
        for (double w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        double tol = (expected.dtype() == DType.FLOAT64 ? 1e-12 : 1e-6) * scale;
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol, name + ": element " + i);
        }
    }

    static Tensor tensor(JsonElement e) {
        JsonObject o = e.getAsJsonObject();
        var shapeJson = o.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsLong();
        }
        var data = o.getAsJsonArray("data");
        String dtype = o.get("dtype").getAsString();
        if (dtype.equals("int64")) {
            long[] v = new long[data.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = data.get(i).getAsLong();
            }
            return Tensor.of(v, shape);
        }
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).getAsDouble();
        }
        return Tensor.of(dtype.equals("float64") ? DType.FLOAT64 : DType.FLOAT32, v, shape);
    }
}
