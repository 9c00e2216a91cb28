package dev.ember.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"b\": {\"c\": \"x\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\"}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2L, a.get(1));
        assertEquals(3.5, a.get(2));
        assertEquals(1000.0, a.get(3));
        assertEquals(true, a.get(4));
        assertEquals(false, a.get(5));
        assertNull(a.get(6));
        assertEquals("x\"\\/\né\uD83D\uDE00", ((Map<?, ?>) m.get("b")).get("c"));
        assertEquals(List.of("a", "b"), List.copyOf(m.keySet()), "key order is kept");
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : List.of("", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "01", "1.", "-", "1e", "+1",
                "\"abc", "\"\\x\"", "\"a\tb\"", "tru", "nul", "{} {}", "[1 2]", "{\"a\":1,\"a\":2}",
                "9223372036854775808", "\"\\u12\"", "'a'", "NaN")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Json.parse(new byte[] {'"', (byte) 0xC3, '"'}),
                "malformed UTF-8");
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting"), e.getMessage());
    }

    @Test
    void writesCompactJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k\"\n\u0001é", List.of(1L, 2, true, "s"));
        m.put("n", null);
        String s = Json.write(m);
        assertEquals("{\"k\\\"\\n\\u0001é\":[1,2,true,\"s\"],\"n\":null}", s);
        Map<?, ?> back = (Map<?, ?>) Json.parse(s.getBytes(StandardCharsets.UTF_8));
        assertEquals(Arrays.asList(1L, 2L, true, "s"), back.get("k\"\n\u0001é"));
        assertTrue(back.containsKey("n") && back.get("n") == null);
    }
}
