package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.lab.topology.Cidr;

/** The locks that let labs of parallel module builds share a Docker engine (no Docker needed). */
class LabLockTest {

    @TempDir
    Path dir;

    @Test
    void aPrefixTakesItsOwnBlockExclusivelyAndTheCoarserOnesShared() {
        assertThat(LabLock.blocks(List.of(Cidr.of("10.77.1.0/24")))).containsExactly(
                Map.entry("v4-00-0.0.0.0", false), Map.entry("v4-08-10.0.0.0", false),
                Map.entry("v4-16-10.77.0.0", false), Map.entry("v4-24-10.77.1.0", true));
        assertThat(LabLock.blocks(List.of(Cidr.of("10.0.0.0/12")))).containsExactly(
                Map.entry("v4-00-0.0.0.0", false), Map.entry("v4-08-10.0.0.0", true));
        assertThat(LabLock.blocks(List.of(Cidr.of("2001:db8:77::/64")))).containsKeys("v6-48-2001_db8_77_0_0_0_0_0")
                .containsEntry("v6-64-2001_db8_77_0_0_0_0_0", true).containsEntry("v6-32-2001_db8_0_0_0_0_0_0", false);
        // one lab's /24 under its own /16: the /16 is exclusive, and listed once
        assertThat(LabLock.blocks(List.of(Cidr.of("10.255.0.0/16"), Cidr.of("10.255.6.0/24"))))
                .containsEntry("v4-16-10.255.0.0", true).containsEntry("v4-24-10.255.6.0", true);
    }

    /** Overlapping prefixes always meet on a block one of them holds exclusively; disjoint /24s never do. */
    @Test
    void overlappingPrefixesConflictAndDisjointOnesDoNot() {
        assertThat(conflict("10.1.0.0/24", "10.1.0.0/24")).isTrue();
        assertThat(conflict("10.0.0.0/8", "10.77.1.0/24")).isTrue();
        assertThat(conflict("10.1.0.0/16", "10.1.7.0/24")).isTrue();
        assertThat(conflict("2001:db8::/32", "2001:db8:6::/64")).isTrue();
        assertThat(conflict("10.1.0.0/24", "10.77.1.0/24")).isFalse();
        assertThat(conflict("10.255.6.0/24", "10.255.119.0/24")).isFalse();
        assertThat(conflict("198.51.100.0/24", "203.0.113.0/24")).isFalse();
        assertThat(conflict("2001:db8:6::/64", "2001:db8:77::/64")).isFalse();
    }

    private static boolean conflict(String a, String b) {
        Map<String, Boolean> x = LabLock.blocks(List.of(Cidr.of(a)));
        Map<String, Boolean> y = LabLock.blocks(List.of(Cidr.of(b)));
        return x.entrySet().stream().anyMatch(e -> y.containsKey(e.getKey()) && (e.getValue() || y.get(e.getKey())));
    }

    @Test
    void heldFromTheFirstLabToTheLastOneOfThisJvm() throws Exception {
        LabLock lock = new LabLock(dir);
        List<Cidr> subnets = List.of(Cidr.of("10.1.0.0/24"));
        List<String> a = lock.acquire("a", subnets);
        List<String> b = lock.acquire("b", subnets); // a second lab of the same JVM shares the hold
        Path own = dir.resolve("v4-24-10.1.0.0");
        assertThat(heldByThisJvm(own)).isTrue();
        lock.release(a);
        assertThat(heldByThisJvm(own)).as("one lab still open").isTrue();
        lock.release(b);
        assertThat(heldByThisJvm(own)).as("released with the last lab").isFalse();
        lock.release(b); // an extra release (a lab closed twice) is harmless
        assertThat(heldByThisJvm(own)).isFalse();
    }

    /** A relocatable lab asks without waiting: refused while any lab overlaps, given once none does. */
    @Test
    void tryAcquireTakesNothingWhileAnOverlappingLabRuns() {
        LabLock lock = new LabLock(dir);
        List<String> first = lock.tryAcquire("table1", List.of(Cidr.of("198.51.100.0/24"), Cidr.of("192.168.1.0/24")));
        assertThat(first).isNotNull();
        assertThat(lock.tryAcquire("table1 again", List.of(Cidr.of("198.51.100.0/24")))).as("same JVM, same /24")
                .isNull();
        assertThat(lock.tryAcquire("wider", List.of(Cidr.of("192.168.0.0/16")))).as("a /16 over a held /24").isNull();
        List<String> beside = lock.tryAcquire("relocated", List.of(Cidr.of("198.18.16.0/24"), Cidr.of("10.129.1.0/24")));
        assertThat(beside).as("disjoint prefixes share only the coarse blocks").isNotNull();
        lock.release(first);
        List<String> again = lock.tryAcquire("table1 again", List.of(Cidr.of("198.51.100.0/24")));
        assertThat(again).as("free once the first lab is gone").isNotNull();
        lock.release(again);
        lock.release(beside);
        assertThat(dir.resolve("v4-00-0.0.0.0")).exists();
    }

    /** Whether this JVM holds a lock on the file: the JDK refuses an overlapping one then. */
    private static boolean heldByThisJvm(Path file) throws Exception {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock l = c.tryLock();
            assertThat(l).as("no other process knows this file").isNotNull();
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }
}
