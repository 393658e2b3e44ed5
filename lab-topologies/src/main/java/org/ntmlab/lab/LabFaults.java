package org.ntmlab.lab;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults injected into a running lab (issue 10's fault-injection suite; ARCHITECTURE.md
 * "Faults"): a host cut off from every lab network, a NAT router that loses its mapping table.
 * Processes killed and restarted are {@link LabHost#killBackground} / {@link
 * LabHost#restartBackground}; a hung host is {@link LabHost#pause}. Each fault is logged and
 * noted in the lab's {@code lab.txt}.
 */
public final class LabFaults {
    private static final Logger LOG = LoggerFactory.getLogger(LabFaults.class);

    private LabFaults() {
    }

    /**
     * Cuts {@code host} off: every packet in or out of its lab interfaces is dropped, IPv4 and IPv6
     * (iptables and ip6tables DROP, first in INPUT and OUTPUT). Loopback stays, and so does the
     * lab's own access, which is {@code docker exec}, not the network. Undo with {@link #heal}.
     */
    public static void partition(Lab lab, LabHost host) {
        for (String c : partitionCommands(host.interfaces().values(), true)) {
            host.execOk(c);
        }
        LOG.info("event=fault-partition host={} interfaces={}", host.name(), host.interfaces().values());
        lab.note("fault partition " + host.name() + " " + host.interfaces());
    }

    /** Removes the rules {@link #partition} added. */
    public static void heal(Lab lab, LabHost host) {
        for (String c : partitionCommands(host.interfaces().values(), false)) {
            host.execOk(c);
        }
        LOG.info("event=fault-heal host={}", host.name());
        lab.note("fault heal " + host.name());
    }

    /**
     * Empties the connection-tracking table of a NAT router ({@code conntrack -F}, IPv4 and IPv6),
     * so every MASQUERADE mapping is lost, as when a home router reboots or its table overflows.
     * The table is the router container's own (one per network namespace). Returns what the
     * table held before and right after, e.g. {@code "entries 14 -> 2"} (flows that sent again at
     * once are new entries). A router built as 1:1 NAT ({@code NatType.dockerOneToOne()}: full
     * and restricted cones, hairpinning types) keeps its static mappings, and an address-dependent
     * filter its permissions (an ipset): only the flows' state is lost.
     */
    public static String flushNatMappings(Lab lab, LabHost router) {
        String out = router.execOk(flushCommand()).strip();
        LOG.info("event=fault-conntrack-flush host={} {}", router.name(), out);
        lab.note("fault conntrack-flush " + router.name() + " " + out);
        return out;
    }

    /** A {@code docker pause} of {@code host}, noted in the lab. */
    public static void pause(Lab lab, LabHost host) {
        host.pause();
        LOG.info("event=fault-pause host={}", host.name());
        lab.note("fault pause " + host.name());
    }

    /** {@code docker unpause} of a host {@link #pause paused} before. */
    public static void unpause(Lab lab, LabHost host) {
        host.unpause();
        LOG.info("event=fault-unpause host={}", host.name());
        lab.note("fault unpause " + host.name());
    }

    /** The iptables/ip6tables commands that add ({@code add}) or delete the partition rules. */
    static List<String> partitionCommands(Collection<String> interfaces, boolean add) {
        List<String> c = new ArrayList<>();
        for (String tool : List.of("iptables", "ip6tables")) {
            for (String ifname : interfaces) {
                if (ifname.equals("lo")) {
                    continue;
                }
                // -w: wait for the xtables lock rather than fail next to a concurrent rule change
                c.add(tool + " -w " + (add ? "-I INPUT 1" : "-D INPUT") + " -i " + ifname + " -j DROP");
                c.add(tool + " -w " + (add ? "-I OUTPUT 1" : "-D OUTPUT") + " -o " + ifname + " -j DROP");
            }
        }
        return c;
    }

    static String flushCommand() {
        // any failure is the command's exit code (execOk shows its stderr); on success conntrack
        // says "table has been emptied" on stderr, which nobody reads
        return "b=$(conntrack -C) && conntrack -F && conntrack -F -f ipv6 && echo \"entries $b -> $(conntrack -C)\"";
    }
}
