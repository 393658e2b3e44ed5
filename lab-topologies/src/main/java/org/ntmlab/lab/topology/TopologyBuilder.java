package org.ntmlab.lab.topology;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * Fluent construction of the same model the YAML files describe, validated the same way.
 *
 * <pre>{@code
 * Topology t = Topology.builder("two-nats")
 *     .globalSegment("g4", "198.51.100.0/24")
 *     .privateSegment("p1", "10.1.0.0/24", "r1")
 *     .router("r1", NatType.PORT_RESTRICTED_CONE, "p1", "g4")
 *     .server("dc", ServerRole.DC, "g4")
 *     .node("p1", "p1.ntm.example", "p1")
 *     .build();
 * }</pre>
 */
public final class TopologyBuilder {
    private final String name;
    private String description;
    private final List<Segment> segments = new ArrayList<>();
    private final List<Router> routers = new ArrayList<>();
    private final List<Server> servers = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Impairment> impairments = new ArrayList<>();
    private Matrix matrix;

    TopologyBuilder(String name) {
        this.name = name;
    }

    public TopologyBuilder description(String text) {
        this.description = text;
        return this;
    }

    public TopologyBuilder segment(Segment s) {
        segments.add(s);
        return this;
    }

    public TopologyBuilder globalSegment(String segmentName, String ipv4) {
        return segment(new Segment(segmentName, SegmentKind.IPV4_GLOBAL, cidr(ipv4), null, null));
    }

    public TopologyBuilder privateSegment(String segmentName, String ipv4, String behindRouter) {
        return segment(new Segment(segmentName, SegmentKind.IPV4_PRIVATE, cidr(ipv4), null, behindRouter));
    }

    public TopologyBuilder ipv6Segment(String segmentName, String ipv6) {
        return segment(new Segment(segmentName, SegmentKind.IPV6_ONLY, null, cidr(ipv6), null));
    }

    public TopologyBuilder dualStackSegment(String segmentName, String ipv4, String ipv6) {
        return segment(new Segment(segmentName, SegmentKind.DUAL_STACK, cidr(ipv4), cidr(ipv6), null));
    }

    public TopologyBuilder router(Router r) {
        routers.add(r);
        return this;
    }

    public TopologyBuilder router(String routerName, NatType nat, String inside, String outside) {
        return router(new Router(routerName, nat, null, inside, outside, null, null));
    }

    public TopologyBuilder router(String routerName, NatType nat, Duration mappingTimeout, String inside,
                                  String outside) {
        return router(new Router(routerName, nat, mappingTimeout, inside, outside, null, null));
    }

    public TopologyBuilder server(Server s) {
        servers.add(s);
        return this;
    }

    /** A server with lab-allocated addresses on each of {@code segmentNames}. */
    public TopologyBuilder server(String serverName, ServerRole role, String... segmentNames) {
        return server(new Server(serverName, role, Arrays.stream(segmentNames).map(Attachment::on).toList()));
    }

    public TopologyBuilder node(Node n) {
        nodes.add(n);
        return this;
    }

    public TopologyBuilder node(String nodeName, String fqdn, String segment) {
        return node(new Node(nodeName, fqdn, segment, null, null));
    }

    public TopologyBuilder impairment(Impairment i) {
        impairments.add(i);
        return this;
    }

    /** The connectivity matrix (default: every node against every other). */
    public TopologyBuilder matrix(Matrix m) {
        this.matrix = m;
        return this;
    }

    /** Validates and returns the topology; problems name {@code builder:<name>} and the field. */
    public Topology build() {
        return new Topology(name, description, segments, routers, servers, nodes, impairments, matrix,
                new Problems("builder:" + name, new HashMap<>()));
    }

    /** Parses an address literal (never a host name) for use in the records. */
    public static InetAddress ip(String literal) {
        return IpLiteral.of(literal);
    }

    private static Cidr cidr(String text) {
        return Cidr.of(text);
    }
}
