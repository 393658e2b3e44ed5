package org.ntmlab.ntm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The node's event names are the node rows of docs/pcap-analysis.md's table ("Node event
 * log"), constant for constant and name for name; pcap-analysis's {@code EventLogDocTest}
 * checks its {@code EventLog} against the same rows, so the node writes the names the
 * analyser reads without either module depending on the other.
 */
class NodeEventsDocTest {

    /** {@code | `address-added` | node | `NodeEvents.ADDRESS_ADDED`, `EventLog.ADDRESS_ADDED` | ...}. */
    static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\| ([^|]+) \\| ([^|]*) \\|", Pattern.MULTILINE);
    static final Pattern CONSTANT = Pattern.compile("`NodeEvents\\.([A-Z_]+)`");

    /** The "Node event log" section of docs/pcap-analysis.md. */
    static String section() throws IOException {
        String doc = Files.readString(Path.of("../docs/pcap-analysis.md"));
        int start = doc.indexOf("\n## Node event log\n");
        assertThat(start).as("docs/pcap-analysis.md has a section 'Node event log'").isPositive();
        int end = doc.indexOf("\n## ", start + 1);
        return doc.substring(start, end < 0 ? doc.length() : end);
    }

    @Test
    void everyNodeEventIsARowOfTheEventLogDocAndBack() throws IOException, IllegalAccessException {
        Map<String, String> documented = new TreeMap<>();
        List<String> names = new ArrayList<>();
        Matcher row = ROW.matcher(section());
        while (row.find()) {
            names.add(row.group(1));
            Matcher c = CONSTANT.matcher(row.group(3));
            if (c.find()) {
                assertThat(row.group(2).strip()).as("writer of %s", row.group(1)).isEqualTo("node");
                documented.put(c.group(1), row.group(1));
            } else {
                assertThat(row.group(2)).as("a node event without NodeEvents constant: %s", row.group(1))
                        .doesNotContain("node");
            }
        }
        assertThat(names).as("one row per event").doesNotHaveDuplicates();
        Map<String, String> coded = new TreeMap<>();
        for (Field f : NodeEvents.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                coded.put(f.getName(), (String) f.get(null));
            }
        }
        assertThat(documented).hasSizeGreaterThan(15).isEqualTo(coded);
    }

    /** {@code ctx.event(NodeEvents.X, ...)} or {@code ctx.event(c ? NodeEvents.X : NodeEvents.Y, ...)}, never a literal. */
    @Test
    void theNodeNamesItsEventsOnlyByTheConstants() throws IOException {
        Pattern call = Pattern.compile("ctx\\.event\\(([^,]*),");
        Pattern allowed = Pattern.compile("(\\w+ \\? )?NodeEvents\\.[A-Z_]+( : NodeEvents\\.[A-Z_]+)?");
        int calls = 0;
        try (var files = Files.list(Path.of("src/main/java/org/ntmlab/ntm/node"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = call.matcher(Files.readString(f));
                while (m.find()) {
                    calls++;
                    assertThat(m.group(1).strip()).as("event name in %s", f.getFileName()).matches(allowed);
                }
            }
        }
        assertThat(calls).isGreaterThan(15);
    }

    @ParameterizedTest
    @CsvSource({
        "198.51.100.7, 198.51.100.7",
        "2001:db8::7, 2001:db8::7",
        "2001:0db8:0:0:0:0:0:50, 2001:db8::50",
        "::1, ::1",
        "::, ::",
        "2001:db8:6::ffff:c633:6401, 2001:db8:6::ffff:c633:6401",
        "2001:db8:0:1:0:0:0:0, 2001:db8:0:1::",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "1:0:0:2:3:0:0:4, 1::2:3:0:0:4",
        "2001:db8:0:1:2:3:4:5, 2001:db8:0:1:2:3:4:5",
        "FE80::A%1, fe80::a",
    })
    void addressesAreWrittenAsTheAnalyserAndTheLabWriteThem(String in, String written) throws Exception {
        assertThat(NodeEvents.format(InetAddress.getByName(in))).isEqualTo(written);
    }

    @Test
    void endpointsAreAddressColonPort() {
        assertThat(NodeEvents.format(new InetSocketAddress("203.0.113.2", 7200))).isEqualTo("203.0.113.2:7200");
        assertThat(NodeEvents.format(new InetSocketAddress("2001:db8:0:0:0:0:0:50", 7200)))
                .isEqualTo("[2001:db8::50]:7200");
        assertThat(NodeEvents.format((InetSocketAddress) null)).isEqualTo("-");
    }
}
