package org.ntmlab.ntm.node;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * One row of the tunnel table, as a user sees it (`ntm tunnels`): the peer, the path and
 * counters. A snapshot; safe to keep.
 *
 * @param setupMillis from ROUTE_DIRECTION to UP, -1 while not up
 */
public record TunnelInfo(String peerFqdn, InetAddress peerVirtualV4, InetAddress peerVirtualV6, long tunnelId,
                         String role, String state, String path, InetSocketAddress peerEndpoint,
                         InetSocketAddress relay, InetSocketAddress peerMapped, boolean optimised,
                         double setupMillis, long txPackets, long rxPackets, long txBytes, long rxBytes,
                         long rxDropped, long roams) {

    public boolean isUp() {
        return "up".equals(state);
    }

    public boolean isDirect() {
        return "direct".equals(path);
    }

    /** Writes JSON; one instance for all threads (a {@link JsonFactory} is thread-safe once configured). */
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /**
     * One-line JSON for the control channel and reports: an object with the fields
     * {@code peer, v4, v6, tunnelId} (hex), {@code role, state, path, peerEndpoint, relay,
     * peerMapped} ({@code "host:port"}, {@code "[v6]:port"} or null), {@code optimised,
     * setupMs, txPackets, rxPackets, txBytes, rxBytes, rxDropped, roams}. Strings are escaped,
     * so the line stays one line whatever a peer's name holds.
     */
    public String toJson() {
        return json(this::write);
    }

    /** The control channel's {@code tunnels} reply: a JSON array of {@link #toJson()} objects, on one line. */
    public static String toJsonArray(List<TunnelInfo> tunnels) {
        return json(g -> {
            g.writeStartArray();
            for (TunnelInfo t : tunnels) {
                t.write(g);
            }
            g.writeEndArray();
        });
    }

    private void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("peer", peerFqdn);
        g.writeStringField("v4", host(peerVirtualV4));
        g.writeStringField("v6", host(peerVirtualV6));
        g.writeStringField("tunnelId", Long.toHexString(tunnelId));
        g.writeStringField("role", role);
        g.writeStringField("state", state);
        g.writeStringField("path", path);
        g.writeStringField("peerEndpoint", hostPort(peerEndpoint));
        g.writeStringField("relay", hostPort(relay));
        g.writeStringField("peerMapped", hostPort(peerMapped));
        g.writeBooleanField("optimised", optimised);
        g.writeNumberField("setupMs", setupMillis);
        g.writeNumberField("txPackets", txPackets);
        g.writeNumberField("rxPackets", rxPackets);
        g.writeNumberField("txBytes", txBytes);
        g.writeNumberField("rxBytes", rxBytes);
        g.writeNumberField("rxDropped", rxDropped);
        g.writeNumberField("roams", roams);
        g.writeEndObject();
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String json(Body body) {
        StringWriter out = new StringWriter(320);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static String host(InetAddress a) {
        return a == null ? null : a.getHostAddress();
    }

    private static String hostPort(InetSocketAddress a) {
        if (a == null || a.getAddress() == null) {
            return null;
        }
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }
}
