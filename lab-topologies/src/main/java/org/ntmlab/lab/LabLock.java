package org.ntmlab.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.ntmlab.lab.topology.Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labs with overlapping subnets take turns on a Docker engine, across JVMs; labs whose subnets
 * are disjoint run at once. Docker refuses a network that overlaps one of another running lab,
 * and Maven builds the modules in parallel ({@code ./ntm-lab test} runs {@code mvn -T 2}): the
 * Table 1 lab of conformance-tests and the mobility lab of mobility-scenarios (other prefixes on
 * purpose) then run side by side, two labs of the Table 1 prefixes one after the other.
 *
 * <p>One lock file per address block, under {@code <dir>/}, locked with {@link FileLock}s
 * (exclusive or shared), so the kernel releases them when a JVM dies and a crashed build never
 * blocks the next. A prefix takes its block at the longest level not longer than itself
 * exclusively (IPv4 levels /0, /8, /16, /24; IPv6 /0, /16, /32, /48, /64) and every coarser
 * block shared: two overlapping prefixes always meet on one block that one of them holds
 * exclusively, and disjoint ones of the same /24 (or IPv6 /64) do not wait for each other. Files
 * are locked in one global order (coarse to fine, then by name), so labs never deadlock. Labs of
 * one JVM share its hold on a block (a test may run two labs at once, as before).
 */
final class LabLock {

    private static final Logger LOG = LoggerFactory.getLogger(LabLock.class);

    /** The locks of the Docker engine's labs. */
    static final LabLock DOCKER = new LabLock(Path.of(System.getProperty("java.io.tmpdir"), "ntm-lab-locks"));

    private static final int[] V4_LEVELS = {0, 8, 16, 24};
    private static final int[] V6_LEVELS = {0, 16, 32, 48, 64};

    private final Path dir;
    /** Blocks this JVM holds: file name -> its lock and how many labs of this JVM use it. */
    private final Map<String, Held> held = new HashMap<>();

    private record Held(FileChannel channel, FileLock lock, int users) {
        boolean shared() {
            return lock.isShared();
        }
    }

    LabLock(Path dir) {
        this.dir = dir;
    }

    /**
     * Takes the blocks of {@code subnets} for one lab, waiting while labs of other JVMs hold
     * overlapping ones. Returns the block names taken, to give to {@link #release}.
     */
    synchronized List<String> acquire(String topology, Collection<Cidr> subnets) {
        return take(topology, blocks(subnets), true);
    }

    /**
     * Takes the blocks of {@code subnets} only if no other lab, of this JVM or another, holds an
     * overlapping one; else takes nothing and returns null. A lab that may move to other prefixes
     * ({@code LabOptions.withRelocation}) asks this for each candidate instead of waiting.
     */
    synchronized List<String> tryAcquire(String topology, Collection<Cidr> subnets) {
        Map<String, Boolean> wanted = blocks(subnets);
        for (Map.Entry<String, Boolean> e : wanted.entrySet()) {
            Held h = held.get(e.getKey());
            if (h != null && (e.getValue() || !h.shared())) {
                return null; // a lab of this JVM overlaps: Docker would refuse the network
            }
        }
        return take(topology, wanted, false);
    }

    /**
     * Locks {@code wanted} (ordered coarse to fine, then by name) in order, sharing this JVM's
     * holds. A block another JVM holds is waited for when {@code wait}, else everything taken so
     * far is given back and the answer is null.
     */
    private List<String> take(String topology, Map<String, Boolean> wanted, boolean wait) {
        List<String> taken = new ArrayList<>();
        long t0 = System.nanoTime();
        boolean waited = false;
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, Boolean> e : wanted.entrySet()) {
                String name = e.getKey();
                Held h = held.get(name);
                if (h != null) {
                    held.put(name, new Held(h.channel, h.lock, h.users + 1));
                    taken.add(name);
                    continue;
                }
                boolean exclusive = e.getValue();
                FileChannel c = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock l = c.tryLock(0, Long.MAX_VALUE, !exclusive);
                if (l == null && !wait) {
                    c.close();
                    release(taken);
                    return null;
                }
                if (l == null) {
                    if (!waited) {
                        LOG.info("event=lab-lock-wait topology={} block={} (a lab of another JVM uses overlapping"
                                + " subnets: a module built in parallel, or another build)", topology, name);
                    }
                    waited = true;
                    l = c.lock(0, Long.MAX_VALUE, !exclusive);
                }
                held.put(name, new Held(c, l, 1));
                taken.add(name);
            }
        } catch (IOException ex) {
            release(taken);
            throw new UncheckedIOException("cannot lock the lab's subnets under " + dir, ex);
        }
        if (waited) {
            LOG.info("event=lab-lock-acquired topology={} waitedMs={}", topology, (System.nanoTime() - t0) / 1_000_000);
        }
        return taken;
    }

    /** Gives back what {@link #acquire} took for one lab; a block is released with its last lab. */
    synchronized void release(List<String> taken) {
        for (String name : taken) {
            Held h = held.get(name);
            if (h == null) {
                continue;
            }
            if (h.users > 1) {
                held.put(name, new Held(h.channel, h.lock, h.users - 1));
                continue;
            }
            held.remove(name);
            try {
                h.channel.close(); // releases the lock
            } catch (IOException e) {
                LOG.warn("event=lab-lock-release-failed block={} error={}", name, e.toString());
            }
        }
    }

    /** The blocks {@code subnets} need, true for exclusive, in locking order. */
    static Map<String, Boolean> blocks(Collection<Cidr> subnets) {
        Map<String, Boolean> out = new TreeMap<>();
        for (Cidr c : subnets) {
            int[] levels = c.isIpv6() ? V6_LEVELS : V4_LEVELS;
            int own = 0;
            for (int level : levels) {
                if (level <= c.prefixLength()) {
                    own = level;
                }
            }
            for (int level : levels) {
                if (level > own) {
                    break;
                }
                out.merge(blockName(c, level), level == own, Boolean::logicalOr);
            }
        }
        return out;
    }

    /**
     * File name of the block of {@code c} at {@code level}: the level first (two digits), so that
     * sorting by name sorts coarse to fine, e.g. {@code v4-16-10.77.0.0}, {@code v6-48-2001:db8:77::}.
     */
    private static String blockName(Cidr c, int level) {
        byte[] a = c.network().getAddress();
        byte[] m = new byte[a.length];
        for (int i = 0; i < level / 8; i++) {
            m[i] = a[i];
        }
        String host;
        try {
            host = java.net.InetAddress.getByAddress(m).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return (c.isIpv6() ? "v6-" : "v4-") + String.format("%02d", level) + "-" + host.replace(':', '_');
    }
}
