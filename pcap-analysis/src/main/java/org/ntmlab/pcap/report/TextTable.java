package org.ntmlab.pcap.report;

import java.util.ArrayList;
import java.util.List;

/** A table rendered either as GitHub Markdown or as aligned plain text for the console. */
public final class TextTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this.header = List.of(header);
    }

    public TextTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header has " + header.size());
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : String.valueOf(c));
        }
        rows.add(r);
        return this;
    }

    public int size() {
        return rows.size();
    }

    public String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("| ").append(String.join(" | ", header)).append(" |\n");
        s.append("|").append("---|".repeat(header.size())).append('\n');
        for (List<String> r : rows) {
            s.append("| ").append(String.join(" | ", r).replace("\n", " ")).append(" |\n");
        }
        return s.toString();
    }

    public String console() {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder s = new StringBuilder();
        line(s, header, w);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        s.append(rule).append('\n');
        for (List<String> r : rows) {
            line(s, r, w);
        }
        return s.toString();
    }

    private static void line(StringBuilder s, List<String> cells, int[] w) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            if (i > 0) {
                l.append("  ");
            }
            String c = cells.get(i);
            l.append(c).append(" ".repeat(w[i] - c.length()));
        }
        s.append(l.toString().stripTrailing()).append('\n');
    }
}
