package org.ntmlab.ntm.transport.memory;

import java.time.Duration;

/**
 * How a NAT maps and filters, in the terms of RFC 4787 (sections 4.1 and 5).
 *
 * @param mapping        endpoint-independent, address-dependent or address-and-port-dependent mapping
 * @param filtering      endpoint-independent, address-dependent or address-and-port-dependent filtering
 * @param preservePorts  try to keep the internal port as the external one (Linux MASQUERADE does)
 * @param mappingTimeout idle time after which a mapping is forgotten (RFC 4787 REQ-5: at least 2 min,
 *                       but real NATs use less, so nodes keep alive well under 30 s)
 */
public record NatBehaviour(Mapping mapping, Filtering filtering, boolean preservePorts, Duration mappingTimeout) {

    /** RFC 4787 section 4.1. */
    public enum Mapping { ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT }

    /** RFC 4787 section 5. */
    public enum Filtering { ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT }

    /** Linux MASQUERADE: EIM, port-dependent filtering, ports preserved (ENVIRONMENT.md, stun-client). */
    public static final NatBehaviour PORT_RESTRICTED_CONE = new NatBehaviour(
            Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT, true, Duration.ofSeconds(30));
    /** EIM with address-dependent filtering. */
    public static final NatBehaviour RESTRICTED_CONE = new NatBehaviour(
            Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_DEPENDENT, true, Duration.ofSeconds(30));
    /** 1:1 static NAT: anything reaching the external port gets in. */
    public static final NatBehaviour FULL_CONE = new NatBehaviour(
            Mapping.ENDPOINT_INDEPENDENT, Filtering.ENDPOINT_INDEPENDENT, true, Duration.ofSeconds(30));
    /** MASQUERADE --random-fully: a new random port per destination. */
    public static final NatBehaviour SYMMETRIC = new NatBehaviour(
            Mapping.ADDRESS_AND_PORT_DEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT, false, Duration.ofSeconds(30));
}
