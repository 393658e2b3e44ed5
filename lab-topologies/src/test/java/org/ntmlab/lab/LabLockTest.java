package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock that lets labs of parallel module builds take turns (no Docker needed). */
class LabLockTest {

    @TempDir
    Path dir;

    @Test
    void heldFromTheFirstLabToTheLastOneOfThisJvm() throws Exception {
        Path file = dir.resolve("lock");
        LabLock lock = new LabLock(file);
        lock.acquire("a");
        lock.acquire("b"); // a second lab of the same JVM shares the hold
        assertThat(heldByThisJvm(file)).isTrue();
        lock.release();
        assertThat(heldByThisJvm(file)).as("one lab still open").isTrue();
        lock.release();
        assertThat(heldByThisJvm(file)).as("released with the last lab").isFalse();
        lock.release(); // an extra release (a lab closed twice) is harmless
        assertThat(heldByThisJvm(file)).isFalse();
        lock.acquire("c");
        assertThat(heldByThisJvm(file)).as("taken again").isTrue();
        lock.release();
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
