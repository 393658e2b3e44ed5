package org.ntmlab.pcap.path;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.ntmlab.pcap.decode.Endpoints;
import org.ntmlab.pcap.report.JsonWriter;
import org.ntmlab.pcap.report.TextTable;

/**
 * Paths of every tunnel seen in a capture. Times in the tables are milliseconds since
 * {@link #captureStartNanos()}; the JSON also has absolute epoch nanoseconds.
 */
public record PathReport(long captureStartNanos, List<TunnelPath> tunnels) {

    public Optional<TunnelPath> tunnel(long tunnelId) {
        return tunnels.stream().filter(t -> t.tunnelId() == tunnelId).findFirst();
    }

    private String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", (nanos - captureStartNanos) / 1e6);
    }

    private static String role(Role r) {
        return r == null ? "?" : r.toString();
    }

    /** One row per tunnel and endpoint pair. */
    public TextTable table() {
        TextTable t = new TextTable("tunnel", "path", "endpoint A", "role A", "endpoint B", "role B", "first ms",
                "last ms", "A->B", "B->A", "relayed bit");
        for (TunnelPath tp : tunnels) {
            for (PairUsage p : tp.pairs()) {
                t.row(tp.tunnelIdText(), p.kind(), Endpoints.format(p.a()), role(p.roleA()), Endpoints.format(p.b()),
                        role(p.roleB()), ms(p.firstNanos()), ms(p.lastNanos()), p.packetsAB(), p.packetsBA(),
                        p.relayedFlag());
            }
        }
        return t;
    }

    /** One row per tunnel: its path history over time. */
    public TextTable summaryTable() {
        TextTable t = new TextTable("tunnel", "history", "final", "packets", "first ms", "last ms");
        for (TunnelPath tp : tunnels) {
            t.row(tp.tunnelIdText(), tp.history(), tp.finalKind(), tp.packets(), ms(tp.firstNanos()), ms(tp.lastNanos()));
        }
        return t;
    }

    public String markdown() {
        return "## Tunnel paths\n\n" + summaryTable().markdown() + "\n### Endpoint pairs\n\n" + table().markdown();
    }

    public String console() {
        return summaryTable().console() + "\n" + table().console();
    }

    public String json() {
        JsonWriter j = new JsonWriter().beginObject();
        j.name("captureStartNanos").value(captureStartNanos);
        j.name("tunnels").beginArray();
        for (TunnelPath tp : tunnels) {
            j.beginObject();
            j.name("tunnelId").value(tp.tunnelIdText());
            j.name("finalPath").value(tp.finalKind().name());
            j.name("history").value(tp.history());
            j.name("firstNanos").value(tp.firstNanos()).name("lastNanos").value(tp.lastNanos());
            j.name("packets").value(tp.packets()).name("relayedFlag").value(tp.relayedFlag());
            j.name("periods").beginArray();
            for (PathPeriod p : tp.periods()) {
                j.beginObject().name("path").value(p.kind().name()).name("firstNanos").value(p.firstNanos())
                        .name("lastNanos").value(p.lastNanos()).name("packets").value(p.packets()).endObject();
            }
            j.endArray();
            j.name("pairs").beginArray();
            for (PairUsage p : tp.pairs()) {
                j.beginObject();
                j.name("path").value(p.kind().name());
                j.name("a").value(Endpoints.format(p.a())).name("roleA").value(p.roleA() == null ? null : p.roleA().toString());
                j.name("b").value(Endpoints.format(p.b())).name("roleB").value(p.roleB() == null ? null : p.roleB().toString());
                j.name("firstNanos").value(p.firstNanos()).name("lastNanos").value(p.lastNanos());
                j.name("packetsAB").value(p.packetsAB()).name("packetsBA").value(p.packetsBA());
                j.name("bytes").value(p.bytes()).name("relayedFlag").value(p.relayedFlag());
                j.endObject();
            }
            j.endArray();
            j.endObject();
        }
        j.endArray().endObject();
        return j.toString();
    }
}
