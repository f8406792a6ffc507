package dev.lockstep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesTheGrammar() {
        Object v = Json.parse(" {\"a\" : [1, -2, 3.5e1, true, false, null], \"b\":{}, \"c\":[],"
                + " \"s\":\"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"} ");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Arrays.asList(1L, -2L, 35.0, true, false, null));
        expected.put("b", Map.of());
        expected.put("c", List.of());
        expected.put("s", "q\"\\/\b\f\n\r\té\uD83D\uDE00");
        assertEquals(expected, v);
    }

    @Test
    void writesWhatItParses() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("x\"\n\u0001é", List.of(0L, Long.MAX_VALUE, "y"));
        m.put("z", Map.of("k", true));
        String text = Json.write(m);
        assertEquals("{\"x\\\"\\u000a\\u0001é\":[0,9223372036854775807,\"y\"],\"z\":{\"k\":true}}", text);
        assertEquals(m, Json.parse(text));
    }

    @Test
    void writesDoublesExactlyAndWhatJsonCannotHoldAsNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("third", 1.0 / 3);
        m.put("tiny", 1e-300);
        m.put("nan", Double.NaN);
        m.put("inf", Double.NEGATIVE_INFINITY);
        m.put("none", null);
        String text = Json.write(m);
        assertTrue(text.endsWith("\"nan\":null,\"inf\":null,\"none\":null}"), text);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals(1.0 / 3, back.get("third"));
        assertEquals(1e-300, back.get("tiny"));
        assertTrue(back.containsKey("nan") && back.get("nan") == null);
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : List.of("", "{", "{\"a\":1,}", "[1 2]", "{\"a\":1} x", "01", "1.", "-", "\"\\x\"",
                "\"abc", "{a:1}", "tru", "99999999999999999999", "[".repeat(100) + "]".repeat(100))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains(" at offset "), e.getMessage());
        }
    }
}
