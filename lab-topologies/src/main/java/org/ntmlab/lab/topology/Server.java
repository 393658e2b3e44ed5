package org.ntmlab.lab.topology;

import java.util.List;

/**
 * An AS, DC or RS; attached to several segments when it must be dual-stack.
 *
 * @param domain for a DC: the DNS domain it serves (its nodes' FQDNs end in it). Optional
 *               with a single DC (the nodes' common domain is used); required for each DC when
 *               there are several, which then find each other through DNS (docs/protocol.md,
 *               "Several domains"). Null for AS and RS.
 */
public record Server(String name, ServerRole role, List<Attachment> attach, String domain) {
    public Server {
        attach = List.copyOf(attach);
    }

    public Server(String name, ServerRole role, List<Attachment> attach) {
        this(name, role, attach, null);
    }
}
