package dev.ember.vision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.tensor.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * CenterNet's target encoding and losses against the reference (fixtures from tools/make_detection_golden.py in
 * detection/centernet.json, whose Python transcribes CenterNet's own gaussian_radius, draw_umich_gaussian,
 * _neg_loss and RegL1Loss and runs them in PyTorch): radii, the heatmap/size/offset/mask targets of a batch, and
 * the focal and L1 losses with their gradients (float64, 1e-10 relative).
 */
class CenterNetGoldenTest {

    @TestFactory
    Stream<DynamicTest> matchesCenterNet() throws Exception {
        JsonObject root;
        try (var in = CenterNetGoldenTest.class.getResourceAsStream("/detection/centernet.json")) {
            assertNotNull(in, "detection/centernet.json missing from test resources");
            root = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> run(c)));
        }
        assertTrue(tests.size() >= 11, "expected the full fixture set, found " + tests.size());
        return tests.stream();
    }

    private static void run(JsonObject c) {
        String name = c.get("name").getAsString();
        switch (c.get("op").getAsString()) {
            case "gaussian_radius" -> {
                JsonObject a = c.getAsJsonObject("args");
                double r = CenterNetCoder.gaussianRadius(a.get("height").getAsDouble(), a.get("width").getAsDouble(),
                        a.get("min_overlap").getAsDouble());
                assertEquals(c.get("output").getAsDouble(), r, 1e-12, name);
            }
            case "encode" -> {
                JsonObject a = c.getAsJsonObject("args");
                List<double[][]> boxes = new ArrayList<>();
                List<int[]> labels = new ArrayList<>();
                JsonArray bs = c.getAsJsonArray("boxes");
                JsonArray ls = c.getAsJsonArray("labels");
                for (int i = 0; i < bs.size(); i++) {
                    JsonArray img = bs.get(i).getAsJsonArray();
                    double[][] b = new double[img.size()][4];
                    int[] l = new int[img.size()];
                    for (int k = 0; k < img.size(); k++) {
                        for (int j = 0; j < 4; j++) {
                            b[k][j] = img.get(k).getAsJsonArray().get(j).getAsDouble();
                        }
                        l[k] = ls.get(i).getAsJsonArray().get(k).getAsInt();
                    }
                    boxes.add(b);
                    labels.add(l);
                }
                CenterNetCoder.Targets t = CenterNetCoder.encode(boxes, labels, a.get("num_classes").getAsInt(),
                        a.get("height").getAsInt(), a.get("width").getAsInt());
                close(c.get("heatmap"), t.heatmap(), 1e-6, name + ": heatmap");
                close(c.get("wh"), t.wh(), 1e-6, name + ": wh");
                close(c.get("reg"), t.reg(), 1e-6, name + ": reg");
                close(c.get("mask"), t.mask(), 0, name + ": mask");
                assertEquals(6, t.numObjects(), name + ": objects");
            }
            case "focal_loss" -> {
                JsonObject in = c.getAsJsonObject("inputs");
                Tensor logits = BoxOpsGoldenTest.tensor(in.get("logits")).requiresGrad(true);
                Tensor loss = CenterNetLoss.focalLoss(logits, BoxOpsGoldenTest.tensor(in.get("target")));
                double want = c.get("output").getAsDouble();
                assertEquals(want, loss.item(), 1e-10 * Math.abs(want), name + ": loss");
                loss.backward();
                close(c.get("grad"), logits.grad(), 1e-10, name + ": gradient");
            }
            case "reg_l1" -> {
                JsonObject in = c.getAsJsonObject("inputs");
                Tensor pred = BoxOpsGoldenTest.tensor(in.get("pred")).requiresGrad(true);
                Tensor loss = CenterNetLoss.regL1(pred, BoxOpsGoldenTest.tensor(in.get("target")),
                        BoxOpsGoldenTest.tensor(in.get("mask")), "wh");
                double want = c.get("output").getAsDouble();
                assertEquals(want, loss.item(), 1e-10 * Math.abs(want), name + ": loss");
                loss.backward();
                close(c.get("grad"), pred.grad(), 1e-10, name + ": gradient");
            }
            default -> throw new AssertionError("unknown op " + c.get("op"));
        }
    }

    private static void close(JsonElement expectedJson, Tensor actual, double rtol, String what) {
        Tensor expected = BoxOpsGoldenTest.tensor(expectedJson);
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] want = expected.toDoubleArray();
        double[] got = actual.toDoubleArray();
        double scale = 1e-30;
        for (double w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], rtol * scale, what + ": element " + i);
        }
    }
}
