package org.ntmlab.lab.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Collects problems with their field path; the line comes from where the parser saw the field. */
final class Problems {
    private final String source;
    private final Map<String, Integer> lines;
    private final List<TopologyException.Problem> list = new ArrayList<>();

    Problems(String source, Map<String, Integer> lines) {
        this.source = source;
        this.lines = lines;
    }

    void add(String path, String message) {
        list.add(new TopologyException.Problem(source, lineOf(path), path, message));
    }

    /**
     * True when a problem was already reported for this field or one inside it (so "missing" is
     * not said of a field whose parts were wrong).
     */
    boolean reported(String path) {
        return list.stream().anyMatch(p -> p.path().equals(path) || p.path().startsWith(path + ".")
                || p.path().startsWith(path + "["));
    }

    String source() {
        return source;
    }

    /** Line of the field, or of its closest enclosing element that has one. */
    private int lineOf(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer l = lines.get(p);
            if (l != null) {
                return l;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return lines.getOrDefault("", 0);
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    void throwIfAny() {
        if (!list.isEmpty()) {
            throw new TopologyException(list);
        }
    }
}
