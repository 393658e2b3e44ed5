package org.ntmlab.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes Table 1 as Markdown, JSON and HTML in the paper's layout (MN rows, CN columns). */
final class Table1Report {
    private Table1Report() {
    }

    static String markdown(List<Table1Cell> cells) {
        StringBuilder sb = new StringBuilder("# Table 1 from live traffic (Docker lab)\n\n"
                + "◎ direct, ○ via relay server (RS), ✗ failed. Each cell: path, tunnel set-up time (resolve),"
                + " median RTT of 3 pings through the tunnel, and the paper's expectation.\n");
        for (var e : byTopology(cells).entrySet()) {
            List<Table1Cell> cs = e.getValue();
            List<String> mns = cs.stream().map(c -> c.mn() + " (" + c.mnKind() + ")").distinct().toList();
            List<String> cns = cs.stream().map(c -> c.cn() + " (" + c.cnKind() + ")").distinct().toList();
            sb.append("\n## ").append(e.getKey()).append("\n\n| MN \\ CN |");
            cns.forEach(c -> sb.append(' ').append(c).append(" |"));
            sb.append("\n|---|").append("---|".repeat(cns.size())).append('\n');
            for (String mn : mns) {
                sb.append("| ").append(mn).append(" |");
                for (String cn : cns) {
                    Table1Cell c = cs.stream().filter(x -> (x.mn() + " (" + x.mnKind() + ")").equals(mn)
                            && (x.cn() + " (" + x.cnKind() + ")").equals(cn)).findFirst().orElseThrow();
                    sb.append(' ').append(cellText(c)).append(" |");
                }
                sb.append('\n');
            }
            long failed = cs.stream().filter(c -> !c.pass()).count();
            sb.append("\n").append(cs.size() - failed).append('/').append(cs.size()).append(" cells as expected.\n");
            cs.stream().filter(c -> !c.pass()).forEach(c -> sb.append("- ").append(c.mn()).append(" -> ")
                    .append(c.cn()).append(": ").append(c.problem()).append('\n'));
        }
        return sb.toString();
    }

    private static String cellText(Table1Cell c) {
        String s = c.symbol() + " " + (c.finalPath() == null ? "failed" : c.finalPath())
                + (c.optimised() ? " (optimised)" : "");
        if (c.finalPath() != null) {
            s += String.format(Locale.ROOT, ", %.0f ms setup, RTT %.1f ms", c.setupMs(), c.rttMsP50());
        }
        return s + (c.pass() ? "" : " **expected " + c.expected() + "**");
    }

    static String json(List<Table1Cell> cells) {
        return "[\n" + cells.stream().map(Table1Cell::json).collect(Collectors.joining(",\n")) + "\n]\n";
    }

    static String html(List<Table1Cell> cells) {
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Table 1</title>"
                + "<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:2em}"
                + "td,th{border:1px solid #999;padding:.4em .7em}td.fail{background:#fdd}td.ok{background:#efe}"
                + "</style></head><body><h1>Table 1 from live traffic (Docker lab)</h1>"
                + "<p>&#9678; direct, &#9675; via relay server, &#10007; failed.</p>");
        for (var e : byTopology(cells).entrySet()) {
            List<Table1Cell> cs = e.getValue();
            List<String> mns = cs.stream().map(Table1Cell::mn).distinct().toList();
            List<String> cns = cs.stream().map(Table1Cell::cn).distinct().toList();
            sb.append("<h2>").append(esc(e.getKey())).append("</h2><table><tr><th>MN \\ CN</th>");
            for (String cn : cns) {
                Table1Cell any = cs.stream().filter(c -> c.cn().equals(cn)).findFirst().orElseThrow();
                sb.append("<th>").append(esc(cn + " (" + any.cnKind() + ")")).append("</th>");
            }
            sb.append("</tr>");
            for (String mn : mns) {
                Table1Cell any = cs.stream().filter(c -> c.mn().equals(mn)).findFirst().orElseThrow();
                sb.append("<tr><th>").append(esc(mn + " (" + any.mnKind() + ")")).append("</th>");
                for (String cn : cns) {
                    Table1Cell c = cs.stream().filter(x -> x.mn().equals(mn) && x.cn().equals(cn)).findFirst()
                            .orElseThrow();
                    sb.append("<td class=\"").append(c.pass() ? "ok" : "fail").append("\" title=\"")
                            .append(esc(c.evidence() == null ? "" : c.evidence())).append("\">")
                            .append(esc(cellText(c).replace("**", ""))).append("</td>");
                }
                sb.append("</tr>");
            }
            sb.append("</table>");
        }
        return sb.append("</body></html>\n").toString();
    }

    static void write(Path dir, List<Table1Cell> cells) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("table1.md"), markdown(cells), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("table1.json"), json(cells), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("table1.html"), html(cells), StandardCharsets.UTF_8);
    }

    private static Map<String, List<Table1Cell>> byTopology(List<Table1Cell> cells) {
        Map<String, List<Table1Cell>> m = new LinkedHashMap<>();
        cells.forEach(c -> m.computeIfAbsent(c.topology(), k -> new java.util.ArrayList<>()).add(c));
        return m;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
