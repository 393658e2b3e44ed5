package org.ntmlab.ntm.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/protocol.md "Timers and limits" lists exactly the constants of {@link ProtocolConstants},
 * with their values: a constant added, removed or changed in one place and not the other fails
 * here, and the failure names the rows to paste into the document.
 */
class ProtocolConstantsDocTest {

    static final Pattern SECTION = Pattern.compile("(?ms)^## Timers and limits$(.*?)(?=^## )");
    static final Pattern SUBSECTION = Pattern.compile("(?m)^### (\\w+)$");
    static final Pattern ROW = Pattern.compile("(?m)^\\| `([A-Z0-9_]+)` \\| ([^|]+?) \\|");

    @Test
    void timersAndLimitsSectionListsEveryConstantWithItsValue() throws IOException, IllegalAccessException {
        Map<String, String> documented = documented(Files.readString(Path.of("../docs/protocol.md")));
        Map<String, String> coded = new TreeMap<>();
        for (Class<?> component : ProtocolConstants.class.getDeclaredClasses()) {
            for (Field f : component.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && Modifier.isFinal(mod)) {
                    coded.put(component.getSimpleName() + "." + f.getName(),
                            format(f.getName(), ((Number) f.get(null)).longValue()));
                }
            }
        }
        List<String> toPaste = new ArrayList<>();
        coded.forEach((name, value) -> {
            if (!value.equals(documented.get(name))) {
                int dot = name.indexOf('.');
                toPaste.add("under ### " + name.substring(0, dot) + ": | `" + name.substring(dot + 1) + "` | "
                        + value + " | ... |");
            }
        });
        assertThat(coded).as("ProtocolConstants has its three components").hasSizeGreaterThan(40);
        assertThat(documented.keySet())
                .as("documented constants that are not in ProtocolConstants")
                .isSubsetOf(coded.keySet());
        assertThat(toPaste).as("rows of docs/protocol.md 'Timers and limits' missing or with another value").isEmpty();
    }

    @Test
    void formatsUnitsAsTheDocumentDoes() {
        assertThat(format("X_NANOS", 300_000_000L)).isEqualTo("300 ms");
        assertThat(format("X_NANOS", 1_000_000_000L)).isEqualTo("1 s");
        assertThat(format("X_MS", 60_000)).isEqualTo("60 s");
        assertThat(format("X_MS", 200)).isEqualTo("200 ms");
        assertThat(format("X_SECONDS", 10)).isEqualTo("10 s");
        assertThat(format("X_BYTES", 2048)).isEqualTo("2048 bytes");
        assertThat(format("X_TRIES", 20)).isEqualTo("20");
    }

    /** "Component.NAME" -> value column, from the section's "### Component" tables. */
    static Map<String, String> documented(String doc) {
        Matcher section = SECTION.matcher(doc);
        assertThat(section.find()).as("docs/protocol.md has a '## Timers and limits' section").isTrue();
        String body = section.group(1);
        Map<String, String> rows = new TreeMap<>();
        Matcher sub = SUBSECTION.matcher(body);
        List<int[]> bounds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (sub.find()) {
            bounds.add(new int[] {sub.end(), body.length()});
            if (bounds.size() > 1) {
                bounds.get(bounds.size() - 2)[1] = sub.start();
            }
            names.add(sub.group(1));
        }
        for (int i = 0; i < names.size(); i++) {
            Matcher row = ROW.matcher(body.substring(bounds.get(i)[0], bounds.get(i)[1]));
            while (row.find()) {
                String key = names.get(i) + "." + row.group(1);
                assertThat(rows.put(key, row.group(2).trim())).as("row listed twice: " + key).isNull();
            }
        }
        return rows;
    }

    /** The document's unit per name suffix: _NANOS and _MS as ms or whole s, _SECONDS as s, _BYTES as bytes. */
    static String format(String name, long v) {
        if (name.endsWith("_NANOS")) {
            return v % 1_000_000_000L == 0 ? v / 1_000_000_000L + " s" : v / 1_000_000L + " ms";
        }
        if (name.endsWith("_MS")) {
            return v % 1000 == 0 ? v / 1000 + " s" : v + " ms";
        }
        if (name.endsWith("_SECONDS")) {
            return v + " s";
        }
        if (name.endsWith("_BYTES")) {
            return v + " bytes";
        }
        return Long.toString(v);
    }
}
