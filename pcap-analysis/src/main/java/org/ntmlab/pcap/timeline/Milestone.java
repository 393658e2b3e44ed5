package org.ntmlab.pcap.timeline;

/**
 * Points of a handover, in the order the paper's Figure 11 walks through them: link switch,
 * association, DHCP, address change seen through netlink, registration with the DC, new
 * tunnel. Each milestone after {@link #MOVE_START} ends one phase, named by {@link #phase()}.
 */
public enum Milestone {
    MOVE_START("move-start", null, "move started (log: move-start)"),
    LINK_UP("link-up", "link", "node sees the new link (log: link-up)"),
    DHCP_START("dhcp-start", "dhcp-wait", "first DHCP DISCOVER or REQUEST from the node (capture)"),
    DHCP_ACK("dhcp-ack", "dhcp", "DHCP ACK for that exchange (capture)"),
    ADDRESS_ADDED("address-added", "address", "node sees its new address (log: address-added)"),
    REGISTER_SENT("register-sent", "register-wait", "first REGISTER 0x01 from the new address (capture; log: register-sent)"),
    REGISTER_ACKED("register-acked", "register", "REGISTER_ACK 0x02 (capture; log: register-acked)"),
    TUNNEL_SETUP("tunnel-setup", "tunnel-setup",
            "last tunnel set-up message (0x05-0x08, 0x10-0x11, 0x20-0x25) before first DATA (capture; log: tunnel-updated)"),
    FIRST_DATA("first-data", "first-data", "first DATA 0x2F on the new path (capture)"),
    APP_RESUMED("app-data-resumed", "app-resume",
            "application data flowing again (log: app-data-resumed; else first DATA to the new address)");

    private final String key;
    private final String phase;
    private final String description;

    Milestone(String key, String phase, String description) {
        this.key = key;
        this.phase = phase;
        this.description = description;
    }

    public String key() {
        return key;
    }

    /** Name of the phase that ends at this milestone; null for {@link #MOVE_START}. */
    public String phase() {
        return phase;
    }

    public String description() {
        return description;
    }
}
