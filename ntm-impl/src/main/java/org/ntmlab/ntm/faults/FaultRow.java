package org.ntmlab.ntm.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of the fault-injection report (issue 10): one fault (a server or peer killed and
 * restarted, hung, cut off, or a NAT that lost its mappings) while a TCP stream and a paced UDP
 * stream ran through an existing tunnel on one path. Times are milliseconds; -1 means "never"
 * within the scenario's wait.
 *
 * @param backend          {@code memory} or {@code docker}
 * @param fault            what was done, e.g. {@code rs-restart}, {@code dc-partition}
 * @param target           the host it was done to (e.g. {@code rs}, {@code dc}, {@code cn-p1})
 * @param path             the tunnel's path before the fault: {@code direct} or {@code relay}
 * @param outageMs         how long the target was away (killed, paused or cut off)
 * @param interruptionMs   the longest silence of the paced UDP stream across the fault
 * @param recoveredMs      from the target's return to the first UDP echo after the fault's
 *                         silence (0 when the stream never stopped)
 * @param resolveMs        from the target's return until a new resolve through the DC worked
 * @param tcpBytes         bytes the TCP stream echoed back, every one checked
 * @param tcpIntact        every byte written came back, in order (a lost or wrong byte is false)
 * @param addressesKept    both ends kept their virtual addresses
 * @param note             anything the scenario wants a reader to know (may be empty)
 */
public record FaultRow(String backend, String fault, String target, String path, long outageMs,
                       long interruptionMs, long recoveredMs, long resolveMs, long tcpBytes, boolean tcpIntact,
                       boolean addressesKept, String note) {

    /** Issue 10's aim: everything recovered within 10 s of the target's return, with default timers. */
    public static final long RECOVERY_BUDGET_MS = 10_000;

    /** What breaks the budget, or an empty list: recovery and resolve within budget, TCP intact, addresses kept. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (recoveredMs < 0 || recoveredMs > RECOVERY_BUDGET_MS) {
            p.add("data did not flow again within " + RECOVERY_BUDGET_MS + " ms (" + ms(recoveredMs) + ")");
        }
        if (resolveMs < 0 || resolveMs > RECOVERY_BUDGET_MS) {
            p.add("resolve did not work again within " + RECOVERY_BUDGET_MS + " ms (" + ms(resolveMs) + ")");
        }
        if (!tcpIntact) {
            p.add("TCP stream not intact after " + tcpBytes + " bytes");
        }
        if (!addressesKept) {
            p.add("virtual addresses changed");
        }
        return p;
    }

    /** Whether the row is within budget. */
    public boolean ok() {
        return problems().isEmpty();
    }

    static String ms(long v) {
        return v < 0 ? "never" : v + " ms";
    }
}
