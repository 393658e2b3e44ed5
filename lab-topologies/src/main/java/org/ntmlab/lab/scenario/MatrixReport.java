package org.ntmlab.lab.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.ntmlab.lab.NtmLab;

/**
 * Writes the connectivity matrix of every topology as Markdown, JSON and HTML
 * ({@code matrix.md/json/html} for the Docker lab, {@code matrix-<backend>.md/json/html} for
 * another backend, e.g. {@code matrix-memory.md}): each topology's grid in the paper's Table 1
 * layout (MN rows, CN columns), then one detail row per cell with the expected path and its rule,
 * both ends' classifications and the traffic results. Only the Docker backend has captures; the
 * others' reports say so instead of showing an empty pcap classification.
 */
public final class MatrixReport {
    static final String SOURCES = "Each path is classified twice: **table** = the MN's own tunnel table (control"
            + " command `tunnels` after the traffic; a direct tunnel's peer endpoint must be the CN or its NAT, a"
            + " relayed one's relay an RS), **pcap** = independently from the capture taken in the CN's container"
            + " (`target/lab/<topology>/<cn>-<segment>.pcap`, a relocated lab's under `<topology>-relocated-<k>/`; classified by pcap-analysis's PathClassifier: which"
            + " real addresses carried the tunnel's DATA messages, the two ends or an RS; roles from the topology"
            + " are in `roles.txt`, per-node tables in `paths-<node>.md`). Both ends are checked: the CN's tunnel"
            + " table and the MN's capture must show the same path. A cell passes only when all agree with the"
            + " expected path (the rule table of docs/topology-format.md, or the file's `matrix.expect`).";
    /** The backend whose report has captures and the plain file names ({@code matrix.md}). */
    public static final String DOCKER = "docker";
    static final String SOURCES_WITHOUT_CAPTURES = "Each path is classified by the tunnel tables: **table** = the MN's"
            + " own tunnel table (control command `tunnels` after the traffic; a direct tunnel's peer endpoint must"
            + " be the CN or its NAT, a relayed one's relay an RS), and the CN's tunnel table must show the same path"
            + " for the same tunnel. This backend takes no packet captures: the independent pcap check is the Docker"
            + " lab's (docs/lab.md, \"Two backends\"). A cell passes only when all agree with the expected path (the"
            + " rule table of docs/topology-format.md, or the file's `matrix.expect`).";
    static final String LEGEND = "◎ direct, ○ via relay server (RS), ✗ failed. Matrix cell: the tunnel table's path"
            + " (optimised = direct after route optimisation), the pcap's path history, tunnel set-up time"
            + " (MN's `resolve`) and the median RTT of " + MatrixScenario.PING_COUNT
            + " ICMP pings in the final path.";
    static final String TRAFFIC = "Traffic per cell, all asserted: UDP echo " + MatrixScenario.ECHO_COUNT + " x "
            + MatrixScenario.ECHO_SIZE + " B over virtual IPv4 and IPv6 (received/sent, median RTT), TCP echo of "
            + MatrixScenario.TCP4_BYTES / 1000 + " kB over virtual IPv4 and " + MatrixScenario.TCP6_BYTES / 1000
            + " kB over virtual IPv6 (every byte checked; time to stream and get everything back, payload Mbit/s),"
            + " ICMP echo.";

    private MatrixReport() {
    }

    /** The Docker lab's report. */
    public static String markdown(List<MatrixCell> cells) {
        return markdown(DOCKER, cells);
    }

    /** The report of the cells measured on {@code backend} ({@link NtmLab#backend()}). */
    public static String markdown(String backend, List<MatrixCell> cells) {
        boolean captures = DOCKER.equals(backend);
        StringBuilder sb = new StringBuilder("# ").append(title(backend)).append("\n\n").append(legend(captures))
                .append("\n\n").append(captures ? SOURCES : SOURCES_WITHOUT_CAPTURES).append("\n\n").append(TRAFFIC)
                .append('\n');
        for (var e : byTopology(cells).entrySet()) {
            List<MatrixCell> cs = e.getValue();
            List<String> mns = cs.stream().map(c -> c.mn).distinct().toList();
            List<String> cns = cs.stream().map(c -> c.cn).distinct().toList();
            sb.append("\n## ").append(e.getKey()).append("\n\n| MN \\ CN |");
            cns.forEach(cn -> sb.append(' ').append(cn).append(" (").append(any(cs, c -> c.cn, cn).cnKind)
                    .append(") |"));
            sb.append("\n|---|").append("---|".repeat(cns.size())).append('\n');
            for (String mn : mns) {
                sb.append("| ").append(mn).append(" (").append(any(cs, c -> c.mn, mn).mnKind).append(") |");
                for (String cn : cns) {
                    MatrixCell c = cell(cs, mn, cn);
                    sb.append(' ').append(c == null ? "—" : cellText(c, true, captures)).append(" |");
                }
                sb.append('\n');
            }
            long failed = cs.stream().filter(c -> !c.pass()).count();
            sb.append("\n").append(cs.size() - failed).append('/').append(cs.size()).append(" cells as expected.\n");
            cs.stream().filter(c -> !c.pass()).forEach(c -> sb.append("- ").append(c.mn).append(" -> ")
                    .append(c.cn).append(": ").append(c.problem()).append('\n'));
            sb.append("\n| ").append(String.join(" | ", detailHeader(captures))).append(" |\n|")
                    .append("---|".repeat(detailHeader(captures).size())).append('\n');
            for (MatrixCell c : cs) {
                List<String> r = detailRow(c, captures);
                sb.append("| ").append(String.join(" | ", r)).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String title(String backend) {
        return "Connectivity matrix from live traffic (" + switch (backend) {
            case DOCKER -> "Docker lab";
            case "memory" -> "in-memory lab";
            default -> backend + " lab";
        } + ")";
    }

    private static String legend(boolean captures) {
        return captures ? LEGEND : LEGEND.replace(", the pcap's path history", "");
    }

    private static List<String> detailHeader(boolean captures) {
        List<String> h = new ArrayList<>(List.of("MN -> CN", "tunnel", "expected (rule)", "table", "pcap (CN capture)",
                "UDP v4", "UDP v6", "TCP v4", "TCP v6", "ping"));
        if (!captures) {
            h.remove("pcap (CN capture)");
        }
        return h;
    }

    private static List<String> detailRow(MatrixCell c, boolean captures) {
        List<String> r = new ArrayList<>();
        r.add(c.mn + " -> " + c.cn + (c.pass() ? "" : " ✗"));
        r.add(c.tunnelId == null ? "-" : c.tunnelId);
        r.add(MatrixCell.symbol(c.expected) + " " + c.expected + (c.optimisationExpected ? " (optimised)" : "")
                + " (" + c.rule + ")");
        r.add(c.tablePath == null ? "-" : c.symbol() + " " + c.tablePath + (c.optimised ? " (optimised)" : ""));
        if (captures) {
            r.add(c.pcapPath == null ? "-" : MatrixCell.symbol(c.pcapPath) + " " + c.shortHistory() + ", "
                    + c.pcapPackets + " DATA");
        }
        r.add(c.udp4 == null ? "-" : MatrixCell.text(c.udp4));
        r.add(c.udp6 == null ? "-" : MatrixCell.text(c.udp6));
        r.add(c.tcp4 == null ? "-" : MatrixCell.text(c.tcp4));
        r.add(c.tcp6 == null ? "-" : MatrixCell.text(c.tcp6));
        r.add(c.pingReceived + "/" + c.pingSent + (Double.isNaN(c.pingRttMsP50) ? ""
                : String.format(Locale.ROOT, ", %.1f ms", c.pingRttMsP50)));
        return r;
    }

    private static String cellText(MatrixCell c, boolean markdown, boolean captures) {
        if (c.tablePath == null) {
            return "✗ failed" + (markdown ? " **expected " + c.expected + "**" : " (expected " + c.expected + ")");
        }
        String s = c.symbol() + " " + c.tablePath + (c.optimised ? " (optimised)" : "")
                + (!captures ? "" : ", pcap " + (c.pcapPath == null ? "✗ none" : MatrixCell.symbol(c.pcapPath) + " "
                + c.shortHistory()))
                + String.format(Locale.ROOT, ", %.0f ms setup, RTT %.1f ms", c.setupMs, c.pingRttMsP50);
        if (c.pass()) {
            return s;
        }
        return s + (markdown ? " **✗ expected " + c.expected + "**" : " (✗ expected " + c.expected + ")");
    }

    public static String json(List<MatrixCell> cells) {
        return "[\n" + cells.stream().map(MatrixCell::json).collect(Collectors.joining(",\n")) + "\n]\n";
    }

    /** The Docker lab's report. */
    public static String html(List<MatrixCell> cells) {
        return html(DOCKER, cells);
    }

    /** The report of the cells measured on {@code backend}. */
    public static String html(String backend, List<MatrixCell> cells) {
        boolean captures = DOCKER.equals(backend);
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Connectivity matrix</title>"
                + "<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:2em}"
                + "td,th{border:1px solid #999;padding:.4em .7em}td.fail{background:#fdd}td.ok{background:#efe}"
                + "</style></head><body><h1>").append(esc(title(backend))).append("</h1>")
                .append("<p>").append(inline(legend(captures))).append("</p><p>")
                .append(inline(captures ? SOURCES : SOURCES_WITHOUT_CAPTURES)).append("</p><p>")
                .append(inline(TRAFFIC)).append("</p>");
        for (var e : byTopology(cells).entrySet()) {
            List<MatrixCell> cs = e.getValue();
            List<String> mns = cs.stream().map(c -> c.mn).distinct().toList();
            List<String> cns = cs.stream().map(c -> c.cn).distinct().toList();
            sb.append("<h2>").append(esc(e.getKey())).append("</h2><table><tr><th>MN \\ CN</th>");
            for (String cn : cns) {
                sb.append("<th>").append(esc(cn + " (" + any(cs, c -> c.cn, cn).cnKind + ")")).append("</th>");
            }
            sb.append("</tr>");
            for (String mn : mns) {
                sb.append("<tr><th>").append(esc(mn + " (" + any(cs, c -> c.mn, mn).mnKind + ")")).append("</th>");
                for (String cn : cns) {
                    MatrixCell c = cell(cs, mn, cn);
                    if (c == null) {
                        sb.append("<td>—</td>");
                        continue;
                    }
                    String title = "table: " + (c.tableEvidence == null ? "-" : c.tableEvidence)
                            + (captures ? "\npcap: " + String.join("\n", c.pcapPairs) : "")
                            + (c.pass() ? "" : "\n" + c.problem());
                    sb.append("<td class=\"").append(c.pass() ? "ok" : "fail").append("\" title=\"")
                            .append(esc(title)).append("\">").append(esc(cellText(c, false, captures))).append("</td>");
                }
                sb.append("</tr>");
            }
            sb.append("</table><table><tr>");
            for (String h : detailHeader(captures)) {
                sb.append("<th>").append(esc(h)).append("</th>");
            }
            sb.append("</tr>");
            for (MatrixCell c : cs) {
                sb.append("<tr class=\"").append(c.pass() ? "ok" : "fail").append("\">");
                detailRow(c, captures).forEach(v -> sb.append("<td>").append(esc(v)).append("</td>"));
                sb.append("</tr>");
            }
            sb.append("</table>");
            cs.stream().filter(c -> !c.pass()).forEach(c -> sb.append("<p class=\"fail\">").append(esc(c.mn + " -> "
                    + c.cn + ": " + c.problem())).append("</p>"));
        }
        return sb.append("</body></html>\n").toString();
    }

    /** The Docker lab's report: {@code matrix.md/json/html} in {@code dir}. */
    public static void write(Path dir, List<MatrixCell> cells) throws IOException {
        write(dir, DOCKER, cells);
    }

    /** The report of the cells measured on {@code backend}: {@code <fileName(backend)>.md/json/html} in {@code dir}. */
    public static void write(Path dir, String backend, List<MatrixCell> cells) throws IOException {
        Files.createDirectories(dir);
        String name = fileName(backend);
        Files.writeString(dir.resolve(name + ".md"), markdown(backend, cells), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(name + ".json"), json(cells), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(name + ".html"), html(backend, cells), StandardCharsets.UTF_8);
        // the report folder's manifest: what the report was made on (each lab's own manifest.json,
        // with image, Docker version and NAT probes, is in its artifact folder)
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(org.ntmlab.lab.RunManifest.machine(
                Path.of(System.getProperty("ntm.jar", "../ntm-impl/target/ntm.jar"))));
        m.put("report", name);
        m.put("backend", backend);
        m.put("cells", cells.size());
        m.put("topologies", cells.stream().map(c -> c.topology).distinct().toList());
        m.put("moduleDir", System.getProperty("user.dir"));
        org.ntmlab.lab.RunManifest.write(dir, m);
    }

    /** The report's file name without extension: {@code matrix} for Docker, {@code matrix-<backend>} otherwise. */
    public static String fileName(String backend) {
        return DOCKER.equals(backend) ? "matrix" : "matrix-" + backend;
    }

    private static MatrixCell cell(List<MatrixCell> cs, String mn, String cn) {
        return cs.stream().filter(x -> x.mn.equals(mn) && x.cn.equals(cn)).findFirst().orElse(null); // null: mn = cn
    }

    private static MatrixCell any(List<MatrixCell> cs, Function<MatrixCell, String> key, String value) {
        return cs.stream().filter(c -> key.apply(c).equals(value)).findFirst().orElseThrow();
    }

    private static Map<String, List<MatrixCell>> byTopology(List<MatrixCell> cells) {
        Map<String, List<MatrixCell>> m = new LinkedHashMap<>();
        cells.forEach(c -> m.computeIfAbsent(c.topology, k -> new ArrayList<>()).add(c));
        return m;
    }

    /** Markdown emphasis and code spans to HTML (for the fixed texts above). */
    private static String inline(String md) {
        return esc(md).replaceAll("\\*\\*([^*]+)\\*\\*", "<b>$1</b>").replaceAll("`([^`]+)`", "<code>$1</code>");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("\n", "&#10;");
    }
}
