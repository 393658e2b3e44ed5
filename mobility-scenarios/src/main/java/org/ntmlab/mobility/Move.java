package org.ntmlab.mobility;

/**
 * One network move of the MN: leave every segment, join {@code segment} at {@code address}.
 *
 * @param kind         what kind of move this is, e.g. {@code P2->P1} (groups the report)
 * @param segment      a segment of the lab: {@code global4}, {@code global6}, {@code p1}, {@code p2}
 * @param expectedPath the tunnel's path once the move settles: {@code direct} or {@code relay}
 */
public record Move(String kind, String segment, String address, String expectedPath) {
}
