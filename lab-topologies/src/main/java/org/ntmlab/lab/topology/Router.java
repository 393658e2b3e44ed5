package org.ntmlab.lab.topology;

import java.net.InetAddress;
import java.time.Duration;

/**
 * A NAT router: a container with one interface on {@code inside} and one on {@code outside}.
 *
 * @param mappingTimeout UDP mapping lifetime (conntrack UDP timeouts); null = kernel default
 * @param insideAddress  null = the inside prefix's {@code .254}
 * @param outsideAddress null = allocated by the lab
 */
public record Router(String name, NatType nat, Duration mappingTimeout, String inside, String outside,
                     InetAddress insideAddress, InetAddress outsideAddress) {
}
