package dev.ember.data;

import dev.ember.tensor.DType;
import dev.ember.tensor.Tensor;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's {@code default_collate}: turns a list of samples into one batch of the same structure, with a new
 * leading batch dimension.
 *
 * <ul>
 *   <li>{@code Tensor}s of equal shape {@code S} are stacked into {@code (B, *S)} (detached: a batch carries no
 *       autograd history);</li>
 *   <li>{@code Double}s become a float64 tensor {@code (B)}, {@code Float}s float32, {@code Long}/{@code
 *       Integer}/{@code Short}/{@code Byte} int64, {@code Boolean}s bool (PyTorch's rule for Python numbers);</li>
 *   <li>primitive arrays of equal length L ({@code float[] double[] long[] int[] boolean[]}) become
 *       {@code (B, L)} tensors, as NumPy arrays do in PyTorch;</li>
 *   <li>{@code String}s stay a {@code List<String>};</li>
 *   <li>{@code List}s, {@code Map}s, object arrays and records (Python's tuples, dicts and namedtuples) are
 *       collated field by field into the same kind of container; a record's components must be able to hold
 *       the collated values (declare them {@code Tensor}).</li>
 * </ul>
 */
public final class Collate {
    private Collate() {
    }

    /** The batch for {@code samples}; see the class comment for the rules. */
    public static Object defaultCollate(List<?> samples) {
        if (samples == null || samples.isEmpty()) {
            throw new IllegalArgumentException("collate: expected a non-empty list of samples");
        }
        Object first = samples.get(0);
        for (int i = 0; i < samples.size(); i++) {
            Object s = samples.get(i);
            if (s == null) {
                throw new IllegalArgumentException("collate: sample " + i + " is null");
            }
            if (!sameKind(first, s)) {
                throw new IllegalArgumentException("collate: sample " + i + " is a " + s.getClass().getName()
                        + " but sample 0 is a " + first.getClass().getName());
            }
        }
        return switch (first) {
            case Tensor t -> stackTensors(samples);
            case Double d -> numbers(samples, DType.FLOAT64);
            case Float f -> numbers(samples, DType.FLOAT32);
            case Long l -> numbers(samples, DType.INT64);
            case Integer i -> numbers(samples, DType.INT64);
            case Short s -> numbers(samples, DType.INT64);
            case Byte b -> numbers(samples, DType.INT64);
            case Boolean b -> numbers(samples, DType.BOOL);
            case CharSequence cs -> List.copyOf(samples);
            case Map<?, ?> m -> maps(samples);
            case List<?> l -> lists(samples);
            case Record r -> records(samples);
            default -> {
                if (first.getClass().isArray()) {
                    yield arrays(samples);
                }
                throw new IllegalArgumentException("collate: default collate cannot batch samples of type "
                        + first.getClass().getName() + "; pass a collate function");
            }
        };
    }

    /**
     * True when the default collate returns a batch of the same Java type as the sample, so that
     * {@code DataLoader.builder(dataset)} can type batches like samples.
     */
    static boolean keepsType(Object sample) {
        return sample instanceof Tensor || sample instanceof List<?> || sample instanceof Map<?, ?>
                || sample instanceof Record || (sample instanceof Object[]);
    }

    private static boolean sameKind(Object a, Object b) {
        if (a instanceof Tensor || a instanceof List<?> || a instanceof Map<?, ?> || a instanceof CharSequence) {
            return (a instanceof Tensor && b instanceof Tensor) || (a instanceof List<?> && b instanceof List<?>)
                    || (a instanceof Map<?, ?> && b instanceof Map<?, ?>)
                    || (a instanceof CharSequence && b instanceof CharSequence);
        }
        return a.getClass() == b.getClass();
    }

    private static Tensor stackTensors(List<?> samples) {
        List<Tensor> ts = new ArrayList<>(samples.size());
        long[] shape = ((Tensor) samples.get(0)).shape();
        for (int i = 0; i < samples.size(); i++) {
            Tensor t = (Tensor) samples.get(i);
            if (!Arrays.equals(shape, t.shape())) {
                throw new IllegalArgumentException("collate: tensors in a batch must have equal shapes, got "
                        + Arrays.toString(shape) + " (sample 0) and " + Arrays.toString(t.shape()) + " (sample " + i
                        + "); pad them or pass a collate function");
            }
            ts.add(t.detach());
        }
        return Tensor.stack(ts, 0);
    }

    private static Tensor numbers(List<?> samples, DType dtype) {
        int n = samples.size();
        return switch (dtype) {
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (Boolean) samples.get(i);
                }
                yield Tensor.of(v, n);
            }
            case INT64 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = ((Number) samples.get(i)).longValue();
                }
                yield Tensor.of(v, n);
            }
            default -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = ((Number) samples.get(i)).doubleValue();
                }
                yield Tensor.of(dtype, v, n);
            }
        };
    }

    private static Map<Object, Object> maps(List<?> samples) {
        Map<?, ?> first = (Map<?, ?>) samples.get(0);
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Object key : first.keySet()) {
            List<Object> field = new ArrayList<>(samples.size());
            for (int i = 0; i < samples.size(); i++) {
                Map<?, ?> m = (Map<?, ?>) samples.get(i);
                if (!m.containsKey(key) || m.size() != first.size()) {
                    throw new IllegalArgumentException("collate: sample " + i + " has keys " + m.keySet()
                            + " but sample 0 has " + first.keySet());
                }
                field.add(m.get(key));
            }
            out.put(key, collateField(field, "key '" + key + "'"));
        }
        return out;
    }

    private static List<Object> lists(List<?> samples) {
        int width = ((List<?>) samples.get(0)).size();
        List<Object> out = new ArrayList<>(width);
        for (int f = 0; f < width; f++) {
            out.add(collateField(column(samples, f, width), "element " + f));
        }
        return List.copyOf(out);
    }

    private static List<Object> column(List<?> samples, int f, int width) {
        List<Object> field = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            List<?> l = (List<?>) samples.get(i);
            if (l.size() != width) {
                throw new IllegalArgumentException("collate: each element in list of batch should be of equal size:"
                        + " sample 0 has " + width + " elements, sample " + i + " has " + l.size());
            }
            field.add(l.get(f));
        }
        return field;
    }

    private static Object arrays(List<?> samples) {
        Object first = samples.get(0);
        Class<?> component = first.getClass().getComponentType();
        int n = samples.size();
        int len = Array.getLength(first);
        for (int i = 0; i < n; i++) {
            if (Array.getLength(samples.get(i)) != len) {
                throw new IllegalArgumentException("collate: arrays in a batch must have equal lengths, got " + len
                        + " (sample 0) and " + Array.getLength(samples.get(i)) + " (sample " + i + ")");
            }
        }
        if (component.isPrimitive()) {
            return primitiveArrays(samples, component, n, len);
        }
        Object out = Array.newInstance(component, len);
        for (int f = 0; f < len; f++) {
            List<Object> field = new ArrayList<>(n);
            for (Object s : samples) {
                field.add(Array.get(s, f));
            }
            Object v = collateField(field, "element " + f);
            if (!component.isInstance(v)) {
                throw new IllegalArgumentException("collate: element " + f + " collates to a "
                        + v.getClass().getSimpleName() + ", which a " + component.getSimpleName()
                        + "[] cannot hold; pass a collate function");
            }
            Array.set(out, f, v);
        }
        return out;
    }

    private static Tensor primitiveArrays(List<?> samples, Class<?> component, int n, int len) {
        long[] shape = {n, len};
        if (component == float.class || component == double.class) {
            double[] v = new double[n * len];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < len; j++) {
                    v[i * len + j] = Array.getDouble(samples.get(i), j);
                }
            }
            return Tensor.of(component == float.class ? DType.FLOAT32 : DType.FLOAT64, v, shape);
        }
        if (component == long.class || component == int.class || component == short.class || component == byte.class) {
            long[] v = new long[n * len];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < len; j++) {
                    v[i * len + j] = Array.getLong(samples.get(i), j);
                }
            }
            return Tensor.of(v, shape);
        }
        if (component == boolean.class) {
            boolean[] v = new boolean[n * len];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < len; j++) {
                    v[i * len + j] = Array.getBoolean(samples.get(i), j);
                }
            }
            return Tensor.of(v, shape);
        }
        throw new IllegalArgumentException("collate: cannot batch " + component + "[] samples; pass a collate function");
    }

    private static Record records(List<?> samples) {
        Class<?> type = samples.get(0).getClass();
        RecordComponent[] comps = type.getRecordComponents();
        Object[] values = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        try {
            for (int c = 0; c < comps.length; c++) {
                var accessor = comps[c].getAccessor();
                accessor.setAccessible(true);
                List<Object> field = new ArrayList<>(samples.size());
                for (Object s : samples) {
                    field.add(accessor.invoke(s));
                }
                values[c] = collateField(field, "component '" + comps[c].getName() + "'");
                types[c] = comps[c].getType();
                if (!types[c].isInstance(values[c])) {
                    throw new IllegalArgumentException("collate: record " + type.getSimpleName() + " component '"
                            + comps[c].getName() + "' of type " + types[c].getSimpleName() + " would hold a "
                            + values[c].getClass().getSimpleName() + "; declare it as that type or pass a collate"
                            + " function");
                }
            }
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return (Record) ctor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("collate: record " + type.getSimpleName() + " rejected the batch: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("collate: cannot rebuild record " + type.getName() + ": " + e, e);
        }
    }

    private static Object collateField(List<Object> field, String where) {
        try {
            return defaultCollate(field);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            throw new IllegalArgumentException(msg.startsWith("collate: ") ? "collate: at " + where + ": "
                    + msg.substring("collate: ".length()) : msg, e);
        }
    }
}
