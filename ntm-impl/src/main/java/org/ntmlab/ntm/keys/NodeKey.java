package org.ntmlab.ntm.keys;

/**
 * The key a node shares with its DC, issued by the AS at login (paper section 3.1).
 *
 * @param keyId  names the key in every node <-> DC message header
 * @param fqdn   the name this key may register
 * @param secret 32 bytes; directional keys derive from it
 */
public record NodeKey(long keyId, String fqdn, byte[] secret) {

    public NodeKey {
        if (secret.length != 32) {
            throw new IllegalArgumentException("node secret must be 32 bytes");
        }
    }
}
