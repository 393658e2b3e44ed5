package org.ntmlab.ntm.keys;

import java.util.concurrent.CompletableFuture;


/**
 * Where the DC learns the key it shares with a node (paper section 3.1: the AS hands the
 * same key to the node and to its DC). Completes with null for an unknown key id.
 */
@FunctionalInterface
public interface KeyDirectory {

    /** The node key for {@code keyId}; may complete on any thread. */
    CompletableFuture<NodeKey> lookup(long keyId);
}
