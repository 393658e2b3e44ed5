package org.ntmlab.lab.topology;

import java.util.List;

/** An AS, DC or RS; attached to several segments when it must be dual-stack. */
public record Server(String name, ServerRole role, List<Attachment> attach) {
    public Server {
        attach = List.copyOf(attach);
    }
}
