package dev.ember.golden;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.nn.functional.F;
import dev.ember.tensor.Tensor;
import java.util.Arrays;

/** Maps a fixture's op key and arguments (PyTorch's names) onto Ember's API. */
final class GoldenOps {
    private GoldenOps() {
    }

    static Tensor apply(String op, JsonObject a, Tensor[] x) {
        return switch (op) {
            case "add" -> x[0].add(x[1]);
            case "sub" -> x[0].sub(x[1]);
            case "mul" -> x[0].mul(x[1]);
            case "div" -> x[0].div(x[1]);
            case "pow" -> x[0].pow(x[1]);
            case "maximum" -> x[0].maximum(x[1]);
            case "minimum" -> x[0].minimum(x[1]);
            case "add_scalar" -> isInt(a.get("scalar")) ? x[0].add(a.get("scalar").getAsLong()) : x[0].add(d(a, "scalar"));
            case "sub_scalar" -> isInt(a.get("scalar")) ? x[0].sub(a.get("scalar").getAsLong()) : x[0].sub(d(a, "scalar"));
            case "mul_scalar" -> isInt(a.get("scalar")) ? x[0].mul(a.get("scalar").getAsLong()) : x[0].mul(d(a, "scalar"));
            case "div_scalar" -> isInt(a.get("scalar")) ? x[0].div(a.get("scalar").getAsLong()) : x[0].div(d(a, "scalar"));
            case "pow_scalar" -> isInt(a.get("scalar")) ? x[0].pow(a.get("scalar").getAsLong()) : x[0].pow(d(a, "scalar"));
            case "neg" -> x[0].neg();
            case "exp" -> x[0].exp();
            case "log" -> x[0].log();
            case "tanh" -> x[0].tanh();
            case "sigmoid" -> x[0].sigmoid();
            case "relu" -> x[0].relu();
            case "sqrt" -> x[0].sqrt();
            case "abs" -> x[0].abs();
            case "sin" -> x[0].sin();
            case "cos" -> x[0].cos();
            case "clamp" -> clamp(x[0], a.get("min"), a.get("max"));
            case "eq" -> x[0].eq(x[1]);
            case "ne" -> x[0].ne(x[1]);
            case "lt" -> x[0].lt(x[1]);
            case "le" -> x[0].le(x[1]);
            case "gt" -> x[0].gt(x[1]);
            case "ge" -> x[0].ge(x[1]);
            case "where" -> Tensor.where(x[0], x[1], x[2]);
            case "sum" -> a.has("dims") ? x[0].sum(dims(a), b(a, "keepdim")) : x[0].sum();
            case "mean" -> a.has("dims") ? x[0].mean(dims(a), b(a, "keepdim")) : x[0].mean();
            case "max" -> a.has("dim") ? x[0].max(i(a, "dim"), b(a, "keepdim")) : x[0].max();
            case "min" -> a.has("dim") ? x[0].min(i(a, "dim"), b(a, "keepdim")) : x[0].min();
            case "argmax" -> a.has("dim") ? x[0].argmax(i(a, "dim"), b(a, "keepdim")) : x[0].argmax();
            case "argmin" -> a.has("dim") ? x[0].argmin(i(a, "dim"), b(a, "keepdim")) : x[0].argmin();
            case "var" -> x[0].var(dims(a), i(a, "correction"), b(a, "keepdim"));
            case "std" -> x[0].std(dims(a), i(a, "correction"), b(a, "keepdim"));
            case "logsumexp" -> x[0].logsumexp(dims(a), b(a, "keepdim"));
            case "matmul" -> x[0].matmul(x[1]);
            case "softmax" -> x[0].softmax(i(a, "dim"));
            case "log_softmax" -> x[0].logSoftmax(i(a, "dim"));
            case "reshape" -> x[0].reshape(GoldenTest.longs(a.getAsJsonArray("shape")));
            case "transpose" -> x[0].transpose(i(a, "dim0"), i(a, "dim1"));
            case "permute" -> x[0].permute(GoldenTest.ints(a.getAsJsonArray("dims")));
            case "expand" -> x[0].expand(GoldenTest.longs(a.getAsJsonArray("shape")));
            case "squeeze" -> a.has("dim") ? x[0].squeeze(i(a, "dim")) : x[0].squeeze();
            case "unsqueeze" -> x[0].unsqueeze(i(a, "dim"));
            case "narrow" -> x[0].narrow(i(a, "dim"), l(a, "start"), l(a, "length"));
            case "select" -> x[0].select(i(a, "dim"), l(a, "index"));
            case "flatten" -> x[0].flatten(i(a, "start_dim"), i(a, "end_dim"));
            case "contiguous" -> x[0].contiguous();
            case "slice" -> x[0].slice(i(a, "dim"), l(a, "start"), l(a, "end"), l(a, "step"));
            case "cat" -> Tensor.cat(Arrays.asList(x), i(a, "dim"));
            case "stack" -> Tensor.stack(Arrays.asList(x), i(a, "dim"));
            case "split" -> x[0].split(l(a, "split_size"), i(a, "dim")).get(i(a, "index"));
            case "chunk" -> x[0].chunk(i(a, "chunks"), i(a, "dim")).get(i(a, "index"));
            case "index_select" -> x[0].indexSelect(i(a, "dim"), x[1]);
            case "gather" -> x[0].gather(i(a, "dim"), x[1]);
            case "scatter_add" -> x[0].scatterAdd(i(a, "dim"), x[1], x[2]);
            case "masked_fill" -> x[0].maskedFill(x[1], d(a, "value"));
            case "to_double" -> x[0].toDouble();
            case "to_float" -> x[0].toFloat();
            case "view" -> x[0].view(GoldenTest.longs(a.getAsJsonArray("shape")));
            case "t" -> x[0].t();
            case "clone" -> x[0].clone();
            case "mm" -> x[0].mm(x[1]);
            case "bmm" -> x[0].bmm(x[1]);
            case "addmm" -> x[0].addmm(x[1], x[2]);
            case "baddbmm" -> x[0].baddbmm(x[1], x[2]);
            case "linear" -> F.linear(x[0], x[1], x.length > 2 ? x[2] : null);
            case "amax" -> x[0].amax(dims(a), b(a, "keepdim"));
            case "amin" -> x[0].amin(dims(a), b(a, "keepdim"));
            case "sign" -> x[0].sign();
            case "erf" -> x[0].erf();
            case "erfc" -> x[0].erfc();
            case "addi" -> x[0].mul(1.0).addi(x[1]);
            case "subi" -> x[0].mul(1.0).subi(x[1]);
            case "muli" -> x[0].mul(1.0).muli(x[1]);
            case "divi" -> x[0].mul(1.0).divi(x[1]);
            case "zeroi_then_add" -> x[0].mul(1.0).zeroi().add(x[1]);
            case "filli_then_mul" -> x[0].mul(1.0).filli(d(a, "value")).mul(x[1]);
            case "copyi" -> x[0].mul(1.0).copyi(x[1]);
            default -> throw new IllegalArgumentException("fixture op without an Ember mapping: " + op);
        };
    }

    private static Tensor clamp(Tensor x, JsonElement min, JsonElement max) {
        boolean hasMin = min != null && !min.isJsonNull();
        boolean hasMax = max != null && !max.isJsonNull();
        if (hasMin && hasMax) {
            return x.clamp(min.getAsDouble(), max.getAsDouble());
        }
        return hasMin ? x.clampMin(min.getAsDouble()) : x.clampMax(max.getAsDouble());
    }

    /** A JSON number written without a fraction or exponent: Python passed an int scalar. */
    private static boolean isInt(JsonElement e) {
        String s = e.getAsString();
        return !s.contains(".") && !s.contains("e") && !s.contains("E");
    }

    private static int[] dims(JsonObject a) {
        JsonElement e = a.get("dims");
        return e == null || e.isJsonNull() ? null : GoldenTest.ints(e.getAsJsonArray());
    }

    private static double d(JsonObject a, String k) {
        return a.get(k).getAsDouble();
    }

    private static int i(JsonObject a, String k) {
        return a.get(k).getAsInt();
    }

    private static long l(JsonObject a, String k) {
        return a.get(k).getAsLong();
    }

    private static boolean b(JsonObject a, String k) {
        return a.get(k).getAsBoolean();
    }

}
