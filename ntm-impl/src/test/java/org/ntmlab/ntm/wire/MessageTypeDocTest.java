package org.ntmlab.ntm.wire;

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
 * The message types of the code are the rows of docs/protocol.md's tables ("Message types"
 * and "Several domains"), code for code and name for name. pcap-analysis's
 * {@code NtmMessageTypeDocTest} checks its decoder against the same rows, so the node's
 * events and the capture analysis never disagree on what a type is.
 */
class MessageTypeDocTest {

    static final Pattern ROW = Pattern.compile("^\\| 0x([0-9A-Fa-f]{2}) \\| ([A-Z_]+) \\|", Pattern.MULTILINE);

    @Test
    void everyMessageTypeIsARowOfTheProtocolDocAndBack() throws IOException, IllegalAccessException {
        Map<Integer, String> documented = new TreeMap<>();
        Matcher m = ROW.matcher(Files.readString(Path.of("../docs/protocol.md")));
        while (m.find()) {
            documented.put(Integer.parseInt(m.group(1), 16), m.group(2));
        }
        Map<Integer, String> coded = new TreeMap<>();
        for (Field f : MessageType.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                coded.put(f.getInt(null), f.getName());
                assertThat(MessageType.name(f.getInt(null))).isEqualTo(f.getName());
            }
        }
        assertThat(documented).hasSizeGreaterThan(20).isEqualTo(coded);
    }
}
