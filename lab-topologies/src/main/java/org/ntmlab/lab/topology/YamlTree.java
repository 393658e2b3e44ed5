package org.ntmlab.lab.topology;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as maps, lists and scalars that remember their line, read with
 * jackson-dataformat-yaml's streaming parser (a data-binding tree forgets where things were,
 * and error messages must name the line).
 */
final class YamlTree {
    private YamlTree() {
    }

    sealed interface YNode permits YMap, YList, YScalar {
        int line();
    }

    /** Keys keep file order; {@code keyLines} holds the line of each key. */
    record YMap(Map<String, YNode> entries, Map<String, Integer> keyLines, int line) implements YNode {
    }

    record YList(List<YNode> items, int line) implements YNode {
    }

    /** {@code text} is null for YAML null ({@code ~} or an empty value). */
    record YScalar(String text, int line) implements YNode {
    }

    /** Thrown for YAML syntax errors and duplicate keys, with the line. */
    static final class SyntaxError extends Exception {
        final int line;

        SyntaxError(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    static YNode read(Reader in) throws IOException, SyntaxError {
        YAMLFactory factory = YAMLFactory.builder().build();
        try (JsonParser p = factory.createParser(in)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YMap(Map.of(), Map.of(), 1);
            }
            YNode root = node(p, t);
            return root;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String msg = e.getOriginalMessage();
            int nl = msg.indexOf('\n');
            throw new SyntaxError(line, "YAML syntax error: " + (nl > 0 ? msg.substring(0, nl) : msg));
        }
    }

    private static YNode node(JsonParser p, JsonToken t) throws IOException, SyntaxError {
        int line = p.currentTokenLocation().getLineNr();
        switch (t) {
            case START_OBJECT -> {
                Map<String, YNode> entries = new LinkedHashMap<>();
                Map<String, Integer> keyLines = new LinkedHashMap<>();
                while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    if (entries.containsKey(key)) {
                        throw new SyntaxError(keyLine, "duplicate key '" + key + "' (first on line "
                                + keyLines.get(key) + ")");
                    }
                    YNode value = node(p, p.nextToken());
                    entries.put(key, value);
                    keyLines.put(key, keyLine);
                }
                return new YMap(entries, keyLines, line);
            }
            case START_ARRAY -> {
                List<YNode> items = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(node(p, t));
                }
                return new YList(items, line);
            }
            case VALUE_NULL -> {
                return new YScalar(null, line);
            }
            default -> {
                return new YScalar(p.getText(), line);
            }
        }
    }
}
