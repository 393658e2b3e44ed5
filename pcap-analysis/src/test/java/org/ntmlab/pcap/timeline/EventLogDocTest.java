package org.ntmlab.pcap.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The event names {@link EventLog} knows are the {@code EventLog.} entries of
 * docs/pcap-analysis.md's table ("Node event log"). ntm-impl's {@code NodeEventsDocTest}
 * checks the node's {@code NodeEvents} against the same rows, so what the node writes is what
 * the analyser reads without either module depending on the other.
 */
class EventLogDocTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z-]+)` \\| ([^|]+) \\| ([^|]*) \\|",
            Pattern.MULTILINE);
    private static final Pattern CONSTANT = Pattern.compile("`EventLog\\.([A-Z_]+)`");

    @Test
    void everyEventNameOfTheAnalyserIsARowOfTheDocAndBack() throws IOException, IllegalAccessException {
        String doc = Files.readString(Path.of("../docs/pcap-analysis.md"));
        int start = doc.indexOf("\n## Node event log\n");
        assertThat(start).as("docs/pcap-analysis.md has a section 'Node event log'").isPositive();
        int end = doc.indexOf("\n## ", start + 1);
        Map<String, String> documented = new TreeMap<>();
        Matcher row = ROW.matcher(doc.substring(start, end < 0 ? doc.length() : end));
        while (row.find()) {
            Matcher c = CONSTANT.matcher(row.group(3));
            if (c.find()) {
                assertThat(documented.put(c.group(1), row.group(1))).as("row of %s", c.group(1)).isNull();
            }
        }
        Map<String, String> coded = new TreeMap<>();
        for (Field f : EventLog.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                coded.put(f.getName(), (String) f.get(null));
            }
        }
        assertThat(documented).hasSizeGreaterThan(8).isEqualTo(coded);
    }
}
