package org.ntmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules behind {@link LabFaults}' partition (applied in the Docker lab by FaultsDockerIT). */
class LabFaultsTest {

    @Test
    void aPartitionDropsBothDirectionsOfEveryLabInterfaceInBothFamilies() {
        List<String> add = LabFaults.partitionCommands(List.of("eth0", "eth1"), true);
        for (String tool : List.of("iptables -w", "ip6tables -w")) {
            for (String ifname : List.of("eth0", "eth1")) {
                assertThat(add).contains(tool + " -I INPUT 1 -i " + ifname + " -j DROP",
                        tool + " -I OUTPUT 1 -o " + ifname + " -j DROP");
            }
        }
        assertThat(add).hasSize(8);
    }

    @Test
    void healingDeletesExactlyTheRulesThePartitionAdded() {
        List<String> add = LabFaults.partitionCommands(List.of("eth0", "eth2"), true);
        List<String> del = LabFaults.partitionCommands(List.of("eth0", "eth2"), false);
        assertThat(del).hasSameSizeAs(add);
        for (int i = 0; i < add.size(); i++) {
            // the same rule spec: -D removes what -I <chain> 1 inserted
            assertThat(del.get(i)).isEqualTo(add.get(i).replace("-I INPUT 1", "-D INPUT")
                    .replace("-I OUTPUT 1", "-D OUTPUT"));
        }
    }

    @Test
    void loopbackIsNeverCut() {
        assertThat(LabFaults.partitionCommands(List.of("lo", "eth0"), true)).noneMatch(c -> c.contains(" lo "))
                .hasSize(4);
    }

    @Test
    void theConntrackFlushEmptiesBothFamiliesAndSaysWhatWasThere() {
        String c = LabFaults.flushCommand();
        assertThat(c).startsWith("b=$(conntrack -C) && conntrack -F && conntrack -F -f ipv6 && echo")
                .doesNotContain(";"); // a failed step must be the script's exit code, not hidden by a later one
    }
}
