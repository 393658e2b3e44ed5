package org.ntmlab.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lab at a time on a Docker engine, across JVMs: topologies declare fixed subnets, and
 * Docker refuses a network that overlaps one of another running lab. Maven builds the modules
 * in parallel ({@code ./ntm-lab test} runs {@code mvn -T 2}), so conformance-tests' and
 * mobility-scenarios' ITs could otherwise start labs at the same time; with this lock their labs
 * take turns while everything else (compiling, unit tests) overlaps.
 *
 * <p>An exclusive {@link FileLock} on {@code <java.io.tmpdir>/ntm-lab-docker.lock}, held from a
 * lab's start to its close; the kernel releases it when the JVM dies, so a crashed build never
 * blocks the next. Labs of one JVM share its hold (a test may run two labs at once, as before).
 */
final class LabLock {

    private static final Logger LOG = LoggerFactory.getLogger(LabLock.class);
    /** The lock of the Docker engine's labs. */
    static final LabLock DOCKER = new LabLock(Path.of(System.getProperty("java.io.tmpdir"), "ntm-lab-docker.lock"));

    private final Path file;
    private FileChannel channel;
    private FileLock lock;
    private int holders;

    LabLock(Path file) {
        this.file = file;
    }

    /** Takes the lock for one more lab of this JVM, waiting while a lab of another JVM holds it. */
    synchronized void acquire(String topology) {
        if (holders++ > 0) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = channel.tryLock();
            if (lock == null) {
                LOG.info("event=lab-lock-wait topology={} file={} (a lab of another JVM is running: a module built"
                        + " in parallel, or another build)", topology, file);
                lock = channel.lock();
                LOG.info("event=lab-lock-acquired topology={} waitedMs={}", topology, (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (IOException e) {
            holders--;
            closeChannel();
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    /** Gives back one lab's share; the last one of this JVM releases the lock. */
    synchronized void release() {
        if (holders == 0 || --holders > 0) {
            return;
        }
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException e) {
            LOG.warn("event=lab-lock-release-failed error={}", e.toString());
        } finally {
            lock = null;
            closeChannel();
        }
    }

    private void closeChannel() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // the lock goes with the channel in any case
        } finally {
            channel = null;
        }
    }
}
