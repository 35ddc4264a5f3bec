package io.edgekd.core.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * A JSON array of strings, the one JSON shape model metadata needs (labels can hold any character,
 * commas included). Strict: anything else is rejected with the offending position.
 */
final class JsonStrings {
    private JsonStrings() {
    }

    static String write(List<String> values) {
        StringBuilder sb = new StringBuilder(2 + values.size() * 12);
        sb.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            quote(values.get(i), sb);
        }
        return sb.append(']').toString();
    }

    static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * @param json the text
     * @return the strings
     * @throws IllegalArgumentException with the position and what was expected, if {@code json} is not a
     *                                  JSON array of strings
     */
    static List<String> read(String json) {
        List<String> out = new ArrayList<>();
        int[] pos = {skipSpace(json, 0)};
        expect(json, pos, '[');
        pos[0] = skipSpace(json, pos[0]);
        if (pos[0] < json.length() && json.charAt(pos[0]) == ']') {
            pos[0]++;
        } else {
            while (true) {
                pos[0] = skipSpace(json, pos[0]);
                out.add(readString(json, pos));
                pos[0] = skipSpace(json, pos[0]);
                if (pos[0] >= json.length()) {
                    throw new IllegalArgumentException("expected ',' or ']' at position " + pos[0] + ", found end of text");
                }
                char ch = json.charAt(pos[0]++);
                if (ch == ']') {
                    break;
                }
                if (ch != ',') {
                    throw new IllegalArgumentException("expected ',' or ']' at position " + (pos[0] - 1) + ", found '" + ch + "'");
                }
            }
        }
        pos[0] = skipSpace(json, pos[0]);
        if (pos[0] != json.length()) {
            throw new IllegalArgumentException("expected end of text at position " + pos[0] + ", found '" + json.charAt(pos[0]) + "'");
        }
        return out;
    }

    private static String readString(String json, int[] pos) {
        expect(json, pos, '"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos[0] >= json.length()) {
                throw new IllegalArgumentException("expected '\"' to close a string, found end of text");
            }
            char ch = json.charAt(pos[0]++);
            if (ch == '"') {
                return sb.toString();
            }
            if (ch != '\\') {
                sb.append(ch);
                continue;
            }
            if (pos[0] >= json.length()) {
                throw new IllegalArgumentException("expected an escape character, found end of text");
            }
            char esc = json.charAt(pos[0]++);
            switch (esc) {
                case '"', '\\', '/' -> sb.append(esc);
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    if (pos[0] + 4 > json.length()) {
                        throw new IllegalArgumentException("expected 4 hex digits at position " + pos[0] + ", found end of text");
                    }
                    String hex = json.substring(pos[0], pos[0] + 4);
                    try {
                        sb.append((char) Integer.parseInt(hex, 16));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("expected 4 hex digits at position " + pos[0] + ", found '" + hex + "'", e);
                    }
                    pos[0] += 4;
                }
                default -> throw new IllegalArgumentException("expected a JSON escape at position " + (pos[0] - 1) + ", found '\\" + esc + "'");
            }
        }
    }

    private static void expect(String json, int[] pos, char ch) {
        if (pos[0] >= json.length()) {
            throw new IllegalArgumentException("expected '" + ch + "' at position " + pos[0] + ", found end of text");
        }
        char found = json.charAt(pos[0]);
        if (found != ch) {
            throw new IllegalArgumentException("expected '" + ch + "' at position " + pos[0] + ", found '" + found + "'");
        }
        pos[0]++;
    }

    private static int skipSpace(String json, int pos) {
        while (pos < json.length() && Character.isWhitespace(json.charAt(pos))) {
            pos++;
        }
        return pos;
    }
}
