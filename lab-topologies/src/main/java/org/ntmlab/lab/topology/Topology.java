package org.ntmlab.lab.topology;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A validated lab topology: segments, NAT routers, NTMobile servers, nodes and impairments.
 * Make one with {@link TopologyParser} from YAML or with {@link #builder(String)}; both run
 * the same validation, so an instance is always usable by the lab.
 */
public final class Topology {
    private final String name;
    private final String source;
    private final String description;
    private final List<Segment> segments;
    private final List<Router> routers;
    private final List<Server> servers;
    private final List<Node> nodes;
    private final List<Impairment> impairments;
    private final Matrix matrix;
    private final AddressPlan plan;
    private final int relocation;

    Topology(String name, String description, List<Segment> segments, List<Router> routers,
             List<Server> servers, List<Node> nodes, List<Impairment> impairments, Matrix matrix,
             Problems problems) {
        this(name, description, segments, routers, servers, nodes, impairments, matrix, problems, 0);
    }

    Topology(String name, String description, List<Segment> segments, List<Router> routers,
             List<Server> servers, List<Node> nodes, List<Impairment> impairments, Matrix matrix,
             Problems problems, int relocation) {
        this.name = name;
        this.relocation = relocation;
        this.source = problems.source();
        this.description = description == null ? "" : description;
        this.segments = List.copyOf(segments);
        this.routers = List.copyOf(routers);
        this.servers = List.copyOf(servers);
        this.nodes = List.copyOf(nodes);
        this.impairments = List.copyOf(impairments);
        this.matrix = matrix != null ? matrix : Matrix.allPairs(this.nodes);
        TopologyValidator.validate(this, problems);
        problems.throwIfAny();
        this.plan = AddressPlan.allocate(this, problems);
        problems.throwIfAny();
    }

    public static TopologyBuilder builder(String name) {
        return new TopologyBuilder(name);
    }

    public static Topology load(Path file) {
        return TopologyParser.parse(file);
    }

    public String name() {
        return name;
    }

    /** Where the topology came from: a file name, or {@code builder:<name>}. */
    public String source() {
        return source;
    }

    public String description() {
        return description;
    }

    public List<Segment> segments() {
        return segments;
    }

    public List<Router> routers() {
        return routers;
    }

    public List<Server> servers() {
        return servers;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<Impairment> impairments() {
        return impairments;
    }

    /** Who talks to whom in the connectivity matrix, and the file's expected-path overrides. */
    public Matrix matrix() {
        return matrix;
    }

    /** Every host address, including those the lab allocated. */
    public AddressPlan addresses() {
        return plan;
    }

    /**
     * 0 for the prefixes the file gives, else the {@link Relocation} slot this copy was moved to
     * (so that another lab of the same file could run beside it).
     */
    public int relocation() {
        return relocation;
    }

    /** This topology on the prefixes of relocation slot {@code slot} ({@link Relocation}). */
    public Topology relocated(int slot) {
        return Relocation.relocate(this, slot);
    }

    public Optional<Segment> segment(String segmentName) {
        return segments.stream().filter(s -> s.name().equals(segmentName)).findFirst();
    }

    public Optional<Router> router(String routerName) {
        return routers.stream().filter(r -> r.name().equals(routerName)).findFirst();
    }

    public Optional<Node> node(String nodeName) {
        return nodes.stream().filter(n -> n.name().equals(nodeName)).findFirst();
    }

    /** Names of all routers, servers and nodes (each one container). */
    public List<String> hostNames() {
        return Stream.of(routers.stream().map(Router::name), servers.stream().map(Server::name),
                nodes.stream().map(Node::name)).flatMap(s -> s).toList();
    }

    /** The router that gives {@code segmentName} its way out, if it is a private segment. */
    public Optional<Router> gatewayOf(String segmentName) {
        return segment(segmentName).map(Segment::behind).flatMap(this::router);
    }

    @Override
    public String toString() {
        return "Topology[" + name + " from " + source + (relocation == 0 ? "" : " relocated to slot " + relocation)
                + "]";
    }
}
