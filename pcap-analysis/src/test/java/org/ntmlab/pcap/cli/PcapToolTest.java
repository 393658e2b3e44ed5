package org.ntmlab.pcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ntmlab.pcap.timeline.HandoverScenario;

class PcapToolTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PcapTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path[] scenario() throws Exception {
        Path pcap = dir.resolve("mn.pcap");
        Path events = dir.resolve("events.log");
        new HandoverScenario(10, List.of()).build().write(pcap, events);
        return new Path[] {pcap, events};
    }

    @Test
    void summaryCountsProtocolsAndNtmTypes() throws Exception {
        Path[] s = scenario();
        Run r = run("summary", s[0].toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("link types {EN10MB=").contains("ntm-REGISTER ").contains("ntm-DATA ")
                .contains("dhcp ").contains("malformed: none");
        Run list = run("summary", s[0].toString(), "--list");
        assertThat(list.out()).contains("DHCP DISCOVER xid=0x00abc000").contains("NTM REGISTER_ACK id=4369");
    }

    @Test
    void pathsPrintsAndWritesTheReport() throws Exception {
        Path[] s = scenario();
        Path roles = dir.resolve("roles.properties");
        Files.writeString(roles, "198.51.100.2 = dc:dc1\n203.0.113.12 = nat:cn\n10.0.1.20 = node:mn\n");
        Path json = dir.resolve("paths.json");
        Path md = dir.resolve("paths.md");
        Run r = run("paths", s[0].toString(), "--roles", roles.toString(), "--json", json.toString(), "--md", md.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(String.valueOf(HandoverScenario.TUNNEL)).contains("DIRECT").contains("nat:cn");
        assertThat(Files.readString(json)).contains("\"finalPath\":\"DIRECT\"");
        assertThat(Files.readString(md)).startsWith("## Tunnel paths");
    }

    @Test
    void timelineWritesAllThreeOutputs() throws Exception {
        Path[] s = scenario();
        Path out = dir.resolve("report");
        Run r = run("timeline", s[0].toString(), "--events", s[1].toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Phases over 10 move(s)").contains("register").contains("wrote ");
        assertThat(out.resolve("timeline.md")).exists();
        assertThat(out.resolve("timeline.json")).exists();
        assertThat(Files.readString(out.resolve("timeline.svg"))).startsWith("<svg");
    }

    @Test
    void badUsageAndBadFilesGiveClearMessagesAndExitCodes() throws Exception {
        assertThat(run().code()).isEqualTo(2);
        Run unknown = run("frobnicate", "x.pcap");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown command 'frobnicate'").contains("usage:");
        assertThat(run("paths", "x.pcap").err()).contains("--roles <file> is required");
        assertThat(run("timeline", "x.pcap", "--out", "d").err()).contains("--events <log> and --out <dir> are required");
        assertThat(run("summary", "x.pcap", "--ports", "70000").err()).contains("--ports wants");
        Path text = dir.resolve("text.pcap");
        Files.writeString(text, "not a capture");
        Run bad = run("summary", text.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("not a pcap or pcapng file");
        Path roles = dir.resolve("bad-roles");
        Files.writeString(roles, "10.0.0.1 node mn\n");
        Path pcap = scenario()[0];
        Run badRoles = run("paths", pcap.toString(), "--roles", roles.toString());
        assertThat(badRoles.code()).isEqualTo(2);
        assertThat(badRoles.err()).contains("bad-roles:1");
    }
}
