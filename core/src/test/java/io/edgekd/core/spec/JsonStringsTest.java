package io.edgekd.core.spec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonStringsTest {
    @Test
    void roundTripsAwkwardStrings() {
        List<String> values = List.of("", "a,b", "quote\"d", "back\\slash", "tab\tnew\nline", "\u0001ctl", "é中文", "/");
        String json = JsonStrings.write(values);
        assertEquals(values, JsonStrings.read(json));
    }

    @Test
    void readsStandardJson() {
        assertEquals(List.of("a", "b/c", "\u00e9"), JsonStrings.read(" [ \"a\" , \"b\\/c\",\"\\u00e9\" ] "));
        assertEquals(List.of(), JsonStrings.read("[]"));
    }

    @Test
    void rejectsOtherShapes() {
        for (String bad : List.of("", "[", "[1]", "[\"a\",]", "[\"a\"] x", "{\"a\":1}", "[\"\\x\"]", "[\"\\u12\"]", "[\"a\"")) {
            assertThrows(IllegalArgumentException.class, () -> JsonStrings.read(bad), bad);
        }
    }
}
