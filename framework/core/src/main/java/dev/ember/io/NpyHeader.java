package dev.ember.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a .npy file: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. Parsed by a strict reader of exactly
 * that subset of Python literals (never an evaluator), and written byte for byte as NumPy 1.24 writes it.
 */
final class NpyHeader {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy aligns the data to this many bytes. */
    private static final int ARRAY_ALIGN = 64;
    /** NumPy pads the header so the first axis can grow to this many digits in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /** {@code descr} decoded: the element type and its byte order. */
    record Descr(ElementType type, ByteOrder order) {
    }

    record Header(String descr, boolean fortranOrder, long[] shape) {
    }

    private final String s;
    private final String file;
    private int pos;

    private NpyHeader(String s, String file) {
        this.s = s;
        this.file = file;
    }

    static Header parse(String text, String file) throws IOException {
        NpyHeader p = new NpyHeader(text, file);
        Map<String, Object> dict = p.dict();
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("unexpected content after the header dict");
        }
        if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw corrupt(file, "header keys must be descr, fortran_order and shape, got " + dict.keySet());
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw corrupt(file, "descr " + dict.get("descr") + " is not a simple dtype string"
                    + " (structured dtypes are not supported)");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw corrupt(file, "fortran_order must be True or False");
        }
        if (!(dict.get("shape") instanceof long[] shape)) {
            throw corrupt(file, "shape must be a tuple of integers");
        }
        return new Header(descr, fortran, shape);
    }

    /** The element type for a NumPy type string such as {@code '<f4'}; others are rejected by name. */
    static Descr descr(String descr, String file) throws IOException {
        if (descr.length() >= 3) {
            char order = descr.charAt(0);
            String code = descr.substring(1);
            ElementType type = switch (code) {
                case "f8" -> ElementType.F64;
                case "f4" -> ElementType.F32;
                case "f2" -> ElementType.F16;
                case "i8" -> ElementType.I64;
                case "i4" -> ElementType.I32;
                case "i2" -> ElementType.I16;
                case "i1" -> ElementType.I8;
                case "u4" -> ElementType.U32;
                case "u2" -> ElementType.U16;
                case "u1" -> ElementType.U8;
                case "b1" -> ElementType.BOOL;
                default -> null;
            };
            ByteOrder bo = switch (order) {
                case '<' -> ByteOrder.LITTLE_ENDIAN;
                case '>' -> ByteOrder.BIG_ENDIAN;
                case '=' -> ByteOrder.nativeOrder();
                case '|' -> type != null && type.size == 1 ? ByteOrder.LITTLE_ENDIAN : null;
                default -> null;
            };
            if (type != null && bo != null) {
                return new Descr(type, bo);
            }
        }
        throw corrupt(file, "unsupported dtype '" + descr + "' (Ember reads <f8 <f4 <f2 <i8 <i4 <i2 |i1 <u4 <u2 |u1"
                + " |b1, either byte order)");
    }

    /** NumPy's {@code descr} for an element type Ember writes. */
    static String descrOf(ElementType type) {
        return switch (type) {
            case F64 -> "<f8";
            case F32 -> "<f4";
            case I64 -> "<i8";
            case BOOL -> "|b1";
            default -> throw new IllegalStateException("Ember does not write " + type);
        };
    }

    /**
     * The complete preamble (magic, version, length, header text, padding, newline) exactly as NumPy 1.24's
     * {@code write_array_header}: keys sorted, growth padding, aligned to 64 bytes, version 1.0 unless the
     * header needs more than 65535 bytes.
     */
    static byte[] preamble(String descr, long[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': ").append(shapeRepr(shape)).append(", }");
        if (shape.length > 0) {
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        int hlen = text.length + 1; // + '\n'
        int lenBytes = 2;
        int padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
        int major = 1;
        if (hlen + padlen > 0xFFFF) {
            major = 2;
            lenBytes = 4;
            padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
        }
        int stored = hlen + padlen;
        byte[] out = new byte[MAGIC.length + 2 + lenBytes + stored];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = (byte) major;
        out[7] = 0;
        for (int i = 0; i < lenBytes; i++) {
            out[8 + i] = (byte) (stored >>> (8 * i));
        }
        int at = 8 + lenBytes;
        System.arraycopy(text, 0, out, at, text.length);
        java.util.Arrays.fill(out, at + text.length, out.length - 1, (byte) ' ');
        out[out.length - 1] = '\n';
        return out;
    }

    private static String shapeRepr(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    // ---------------------------------------------------------------- the literal reader

    private Map<String, Object> dict() throws IOException {
        skipWs();
        expect('{');
        Map<String, Object> map = new LinkedHashMap<>();
        while (true) {
            skipWs();
            if (peek() == '}') {
                pos++;
                return map;
            }
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            Object value = value();
            if (map.put(key, value) != null) {
                throw error("duplicate key '" + key + "'");
            }
            skipWs();
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private Object value() throws IOException {
        char c = peek();
        if (c == '\'' || c == '"') {
            return string();
        }
        if (c == '(') {
            return tuple();
        }
        if (s.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        if (c == '[') {
            throw corrupt(file, "structured dtypes (a list descr) are not supported");
        }
        throw error("unexpected character '" + c + "'");
    }

    private long[] tuple() throws IOException {
        expect('(');
        List<Long> dims = new ArrayList<>();
        while (true) {
            skipWs();
            if (peek() == ')') {
                pos++;
                break;
            }
            dims.add(integer());
            skipWs();
            if (peek() == ',') {
                pos++;
            } else if (peek() != ')') {
                throw error("expected ',' or ')' in the shape");
            } else if (dims.size() == 1 && s.charAt(pos - 1) != ',') {
                // (3) is not a tuple in Python; NumPy writes (3,)
                throw error("a one-element shape must be written (n,)");
            }
        }
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims.get(i);
        }
        return out;
    }

    private long integer() throws IOException {
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
            pos++;
        }
        if (pos == start) {
            throw error("expected a non-negative integer in the shape");
        }
        String digits = s.substring(start, pos);
        if (peek() == 'L') {
            pos++; // Python 2 long suffix, which NumPy itself still accepts
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("shape value " + digits + " is too large");
        }
    }

    private String string() throws IOException {
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw error("expected a quoted string");
        }
        int end = s.indexOf(quote, pos + 1);
        if (end < 0) {
            throw error("unterminated string");
        }
        String v = s.substring(pos + 1, end);
        if (v.indexOf('\\') >= 0) {
            throw error("escapes in strings are not supported");
        }
        pos = end + 1;
        return v;
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void expect(char c) throws IOException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void skipWs() {
        while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\n' || s.charAt(pos) == '\t'
                || s.charAt(pos) == '\r')) {
            pos++;
        }
    }

    private IOException error(String what) {
        return corrupt(file, "malformed header at character " + pos + ": " + what);
    }

    static IOException corrupt(String file, String what) {
        return new IOException("npy " + file + ": " + what);
    }
}
