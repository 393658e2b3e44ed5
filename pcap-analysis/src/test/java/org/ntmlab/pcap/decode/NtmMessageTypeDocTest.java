package org.ntmlab.pcap.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The decoder knows exactly the message types of docs/protocol.md's tables. ntm-impl's
 * {@code MessageTypeDocTest} checks the node's {@code MessageType} against the same rows, so
 * the two modules stay in step without depending on each other.
 */
class NtmMessageTypeDocTest {

    private static final Pattern ROW = Pattern.compile("^\\| 0x([0-9A-Fa-f]{2}) \\| ([A-Z_]+) \\|", Pattern.MULTILINE);

    @Test
    void everyDecodedTypeIsARowOfTheProtocolDocAndBack() throws IOException {
        Map<Integer, String> documented = new TreeMap<>();
        Matcher m = ROW.matcher(Files.readString(Path.of("../docs/protocol.md")));
        while (m.find()) {
            documented.put(Integer.parseInt(m.group(1), 16), m.group(2));
        }
        Map<Integer, String> decoded = new TreeMap<>();
        for (NtmMessageType t : NtmMessageType.values()) {
            decoded.put(t.code(), t.name());
            assertThat(NtmMessageType.of(t.code())).isSameAs(t);
        }
        assertThat(documented).hasSizeGreaterThan(20).isEqualTo(decoded);
    }
}
