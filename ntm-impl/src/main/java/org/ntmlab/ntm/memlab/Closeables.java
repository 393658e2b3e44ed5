package org.ntmlab.ntm.memlab;

import java.util.ArrayList;
import java.util.List;

import org.ntmlab.ntm.transport.SelectorEventLoop;

/**
 * What an in-JVM lab started (nodes, DCs, RSes and their event loops), closed together in list
 * order when the lab closes. Each close is best effort: a part that fails to close must not keep
 * the others, and their loop threads, running past the test or benchmark.
 */
public final class Closeables implements AutoCloseable {

    private final List<AutoCloseable> list = new ArrayList<>();

    /** Adds {@code c}, to close after everything added so far. */
    public <T extends AutoCloseable> T add(T c) {
        list.add(c);
        return c;
    }

    /** Adds {@code c}, to close before everything added so far (a node before the servers it talks to). */
    public <T extends AutoCloseable> T addFirst(T c) {
        list.add(0, c);
        return c;
    }

    /** A new event loop thread, to close after everything added so far. */
    public SelectorEventLoop loop(String name) {
        return add(new SelectorEventLoop(name));
    }

    /** Closes everything in list order, ignoring failures; a second call finds nothing to close. */
    @Override
    public void close() {
        for (AutoCloseable c : list) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        list.clear();
    }
}
