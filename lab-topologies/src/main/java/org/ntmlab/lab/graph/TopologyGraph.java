package org.ntmlab.lab.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ntmlab.lab.topology.AddressPlan.HostAddress;
import org.ntmlab.lab.topology.IpLiteral;
import org.ntmlab.lab.topology.Node;
import org.ntmlab.lab.topology.Router;
import org.ntmlab.lab.topology.Segment;
import org.ntmlab.lab.topology.Server;
import org.ntmlab.lab.topology.ServerRole;
import org.ntmlab.lab.topology.Topology;

/**
 * A topology drawn: standalone SVG ({@link #svg}) and Mermaid text for Markdown ({@link #mermaid}),
 * with the observed path of each matrix cell over it when a report is given (docs/lab.md,
 * "Drawing a topology"). Any topology: segments are horizontal buses in tiers (a segment behind a
 * router one tier below the router's outside segment, so nested NATs go down), every host a box
 * in a column of its own on its home segment's row (a router on its inside segment's, a server or
 * a dual-stack node on its first), with a straight wire to each segment it is attached to. Deterministic:
 * the same topology and report give the same bytes.
 */
public final class TopologyGraph {

    static final int BOX_W = 170;
    static final int BOX_H = 64;
    static final int GAP = 24;
    static final int ROW_H = 150;
    static final int LEFT = 20;
    static final int TOP = 40;

    private TopologyGraph() {
    }

    /** Where everything goes: rows of segments, boxes of hosts. Package-private for the tests. */
    record Layout(Map<String, Integer> segmentRow, Map<String, Box> boxes, int width, int height) {
        int busY(String segment) {
            return TOP + segmentRow.get(segment) * ROW_H + BOX_H + 34;
        }
    }

    /** A host's box: top-left corner. */
    record Box(String host, String kind, int x, int y) {
        int cx() {
            return x + BOX_W / 2;
        }

        int cy() {
            return y + BOX_H / 2;
        }

        boolean overlaps(Box o) {
            return x < o.x + BOX_W && o.x < x + BOX_W && y < o.y + BOX_H && o.y < y + BOX_H;
        }
    }

    static Layout layout(Topology t) {
        // tiers: a segment behind router R sits one below R's outside segment
        Map<String, Integer> depth = new HashMap<>();
        for (Segment s : t.segments()) {
            depth(t, s.name(), depth, 0);
        }
        List<Segment> rows = new ArrayList<>(t.segments());
        rows.sort(java.util.Comparator.comparingInt(s -> depth.get(s.name()))); // stable: file order within a tier
        Map<String, Integer> segmentRow = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            segmentRow.put(rows.get(i).name(), i);
        }
        // Every host gets a column of its own, hosts of the upper rows first: a wire runs straight
        // up or down from its box to each of its segments and can then never pass behind another
        // host's box (a router deep down reaches its outside bus past the rows in between).
        List<String> hosts = new ArrayList<>(t.hostNames());
        hosts.sort(java.util.Comparator.comparingInt(h -> segmentRow.get(home(t, h)))); // stable
        Map<String, Box> boxes = new LinkedHashMap<>();
        for (int col = 0; col < hosts.size(); col++) {
            String host = hosts.get(col);
            int row = segmentRow.get(home(t, host));
            boxes.put(host, new Box(host, kind(t, host), LEFT + 110 + col * (BOX_W + GAP), TOP + row * ROW_H));
        }
        int width = LEFT + 110 + Math.max(1, hosts.size()) * (BOX_W + GAP) + 20;
        int height = TOP + rows.size() * ROW_H + 70;
        return new Layout(segmentRow, boxes, width, height);
    }

    private static int depth(Topology t, String segment, Map<String, Integer> memo, int guard) {
        Integer d = memo.get(segment);
        if (d != null) {
            return d;
        }
        Optional<Router> gw = t.gatewayOf(segment);
        // guard: a validated topology has no NAT loop, but a drawing must never recurse forever
        int v = gw.isEmpty() || guard > t.segments().size() ? 0 : depth(t, gw.get().outside(), memo, guard + 1) + 1;
        memo.put(segment, v);
        return v;
    }

    private static String home(Topology t, String host) {
        Optional<Router> r = t.router(host);
        if (r.isPresent()) {
            return r.get().inside();
        }
        Optional<Node> n = t.node(host);
        if (n.isPresent()) {
            return n.get().segments().get(0);
        }
        return server(t, host).attach().get(0).segment();
    }

    private static Server server(Topology t, String host) {
        return t.servers().stream().filter(s -> s.name().equals(host)).findFirst().orElseThrow();
    }

    private static String kind(Topology t, String host) {
        if (t.router(host).isPresent()) {
            return "router";
        }
        return t.node(host).isPresent() ? "node" : "server";
    }

    /** The segments a host has an interface on. */
    private static List<String> segmentsOf(Topology t, String host) {
        return t.addresses().of(host).stream().map(HostAddress::segment).distinct().toList();
    }

    // ------------------------------------------------------------------ SVG

    /** The topology as a standalone SVG 1.1 document, the overlay's cells drawn over it. */
    public static String svg(Topology t, MatrixOverlay overlay) {
        return svg(t, overlay, Map.of());
    }

    /** As {@link #svg(Topology, MatrixOverlay)}, with each router's STUN verdict under its NAT type. */
    public static String svg(Topology t, MatrixOverlay overlay, Map<String, String> natVerdicts) {
        Layout l = layout(t);
        int legend = overlay.cells().isEmpty() ? 0 : 90;
        StringBuilder b = new StringBuilder();
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\""
                + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n",
                l.width(), l.height() + legend, l.width(), l.height() + legend));
        b.append("<title>").append(x(t.name() + " (" + t.source() + ")")).append("</title>\n");
        b.append("<defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"4\" orient=\"auto\">"
                + "<path d=\"M0,0 L8,4 L0,8 z\" fill=\"#333\"/></marker></defs>\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(b, LEFT, 22, t.name() + (t.description().isEmpty() ? "" : ": " + t.description()), "bold", 13);
        // segments
        for (Segment s : t.segments()) {
            int y = l.busY(s.name());
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"5\"/>%n", LEFT, y, l.width() - 10, y, segmentColour(s)));
            text(b, LEFT, y + 16, s.name(), "bold", 11);
            text(b, LEFT, y + 29, s.kind().name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + (s.ipv4() == null ? "" : " " + s.ipv4()) + (s.ipv6() == null ? "" : " " + s.ipv6()), null, 10);
        }
        // wires, then boxes over them
        for (String host : t.hostNames()) {
            Box box = l.boxes().get(host);
            for (String seg : segmentsOf(t, host)) {
                int y = l.busY(seg);
                int from = y > box.y() ? box.y() + BOX_H : box.y();
                b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\""
                        + " stroke-width=\"1.5\"/>%n", box.cx(), from, box.cx(), y));
            }
        }
        for (String host : t.hostNames()) {
            Box box = l.boxes().get(host);
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\""
                    + " fill=\"%s\" stroke=\"#333\"/>%n", box.x(), box.y(), BOX_W, BOX_H, boxColour(box.kind())));
            List<String> lines = labelLines(t, host, natVerdicts);
            for (int i = 0; i < lines.size() && i < 4; i++) {
                text(b, box.x() + 6, box.y() + 14 + i * 14, lines.get(i), i == 0 ? "bold" : null, i == 0 ? 11 : 10);
            }
        }
        // the cells
        for (MatrixOverlay.Cell c : overlay.cells()) {
            Box a = l.boxes().get(c.mn());
            Box z = l.boxes().get(c.cn());
            if (a == null || z == null) {
                continue; // a report of another version of the file
            }
            String colour = !c.pass() || c.disagrees() ? "#d62728" : "relay".equals(c.path()) ? "#ff7f0e"
                    : c.optimised() ? "#1f77b4" : "#2ca02c";
            String dash = "relay".equals(c.path()) ? " stroke-dasharray=\"6,4\"" : "";
            StringBuilder pts = new StringBuilder().append(a.cx()).append(',').append(a.y());
            if ("relay".equals(c.path())) {
                Optional<Box> rs = t.servers().stream().filter(s -> s.role() == ServerRole.RS)
                        .map(s -> l.boxes().get(s.name())).findFirst();
                rs.ifPresent(r -> pts.append(' ').append(r.cx()).append(',').append(r.y() + BOX_H));
            }
            pts.append(' ').append(z.cx() + 8).append(',').append(z.y());
            b.append("<polyline points=\"").append(pts).append("\" fill=\"none\" stroke=\"").append(colour)
                    .append("\" stroke-width=\"2.5\" opacity=\"0.8\"").append(dash)
                    .append(" marker-end=\"url(#arrow)\"><title>")
                    .append(x(c.mn() + " → " + c.cn() + ": " + (c.path() == null ? "no tunnel" : c.path())
                            + (c.optimised() ? " (optimised)" : "") + (c.pcapPath() == null ? "" : ", capture "
                            + c.pcapPath()) + ", expected " + c.expected() + (c.pass() ? "" : ": " + c.problem())))
                    .append("</title></polyline>\n");
        }
        if (legend > 0) {
            int y = l.height() + 10;
            String[][] keys = {{"#2ca02c", "", "direct"}, {"#1f77b4", "", "direct after route optimisation"},
                {"#ff7f0e", " stroke-dasharray=\"6,4\"", "relay, through the RS"},
                {"#d62728", "", "failed, or tunnel table and capture disagree"}};
            for (int i = 0; i < keys.length; i++) {
                int yy = y + i * 18;
                b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                        + " stroke-width=\"2.5\"%s/>%n", LEFT, yy, LEFT + 40, yy, keys[i][0], keys[i][1]));
                text(b, LEFT + 50, yy + 4, keys[i][2], null, 10);
            }
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static List<String> labelLines(Topology t, String host, Map<String, String> natVerdicts) {
        List<String> lines = new ArrayList<>();
        Optional<Router> r = t.router(host);
        Optional<Node> n = t.node(host);
        if (r.isPresent()) {
            lines.add(host + " (NAT router)");
            lines.add(r.get().nat().yamlName());
            Optional.ofNullable(natVerdicts.get(host)).ifPresent(v -> lines.add("stun: " + v));
        } else if (n.isPresent()) {
            lines.add(host + " (node)");
            lines.add(n.get().fqdn());
        } else {
            Server s = server(t, host);
            lines.add(host + " (" + s.role().name() + ")");
            if (s.domain() != null) {
                lines.add(s.domain());
            }
        }
        for (HostAddress a : t.addresses().of(host)) {
            if (r.isPresent() && !a.segment().equals(r.get().outside())) {
                continue; // a router's outside address is the one the NAT shows
            }
            lines.add((a.ipv4() == null ? "" : IpLiteral.format(a.ipv4()) + " ")
                    + (a.ipv6() == null ? "" : IpLiteral.format(a.ipv6())));
        }
        return lines;
    }

    private static String segmentColour(Segment s) {
        return switch (s.kind()) {
            case IPV4_GLOBAL -> "#4c72b0";
            case IPV4_PRIVATE -> "#8c8c8c";
            case IPV6_ONLY -> "#55a868";
            case DUAL_STACK -> "#8172b2";
        };
    }

    private static String boxColour(String kind) {
        return switch (kind) {
            case "router" -> "#fde9c9";
            case "server" -> "#dbe9f6";
            default -> "#e8f4e2";
        };
    }

    private static void text(StringBuilder b, int xPos, int y, String s, String weight, int size) {
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\"%s>%s</text>%n", xPos, y, size,
                weight == null ? "" : " font-weight=\"" + weight + "\"", x(s)));
    }

    /** XML text escaping. */
    static String x(String s) {
        StringBuilder o = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> o.append("&amp;");
                case '<' -> o.append("&lt;");
                case '>' -> o.append("&gt;");
                case '"' -> o.append("&quot;");
                case '\'' -> o.append("&apos;");
                default -> o.append(c < 0x20 && c != '\t' ? ' ' : c);
            }
        }
        return o.toString();
    }

    // ------------------------------------------------------------------ Mermaid

    /** Mermaid {@code flowchart TB} text: segments, hosts, one link per attachment, and the cells. */
    public static String mermaid(Topology t, MatrixOverlay overlay) {
        StringBuilder b = new StringBuilder("flowchart TB\n");
        for (Segment s : t.segments()) {
            b.append("  ").append(id("seg", s.name())).append("[(\"").append(m(s.name() + " · "
                    + s.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + (s.ipv4() == null ? "" : " " + s.ipv4())
                    + (s.ipv6() == null ? "" : " " + s.ipv6()))).append("\")]\n");
        }
        for (String host : t.hostNames()) {
            List<String> lines = labelLines(t, host, Map.of());
            b.append("  ").append(id("host", host)).append("[\"").append(m(String.join("<br/>", lines.subList(0,
                    Math.min(2, lines.size()))))).append("\"]\n");
        }
        for (String host : t.hostNames()) {
            Optional<Router> r = t.router(host);
            for (String seg : segmentsOf(t, host)) {
                String label = r.isEmpty() ? "" : seg.equals(r.get().inside()) ? "|inside|" : "|outside|";
                b.append("  ").append(id("host", host)).append(" ---").append(label).append(' ')
                        .append(id("seg", seg)).append('\n');
            }
        }
        for (MatrixOverlay.Cell c : overlay.cells()) {
            if (t.node(c.mn()).isEmpty() || t.node(c.cn()).isEmpty()) {
                continue;
            }
            String label = (c.path() == null ? "no tunnel" : c.path()) + (c.optimised() ? " optimised" : "")
                    + (c.pass() && !c.disagrees() ? "" : " FAILED");
            b.append("  ").append(id("host", c.mn())).append(" -.->|\"").append(m(label)).append("\"| ")
                    .append(id("host", c.cn())).append('\n');
        }
        return b.toString();
    }

    /** A Mermaid id: letters, digits and underscores only, prefixed so segment and host ids never meet. */
    static String id(String prefix, String name) {
        StringBuilder o = new StringBuilder(prefix).append('_');
        for (char c : name.toCharArray()) {
            o.append(Character.isLetterOrDigit(c) && c < 128 ? c : '_');
        }
        return o.append('_').append(Integer.toHexString(name.hashCode() & 0xfff)).toString();
    }

    /** Mermaid label text inside double quotes. */
    private static String m(String s) {
        return s.replace("\"", "#quot;");
    }
}
