package org.ntmlab.ntm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.ntmlab.ntm.crypto.TrafficKey;
import org.ntmlab.ntm.dc.DcCounter;
import org.ntmlab.ntm.metrics.Counter;
import org.ntmlab.ntm.metrics.Counters;
import org.ntmlab.ntm.node.NodeCounter;
import org.ntmlab.ntm.rs.RelayCounter;
import org.ntmlab.ntm.wire.MessageDrop;

/**
 * The counter enums as the components use them: every enum that implements {@link Counter}
 * counts into the {@link Counters} of a known component, and within one component no two
 * constants share a key. {@link Counters} adds up by counter but reads and prints by key, so
 * a duplicate key would merge two reasons into one number without anyone noticing.
 */
class CounterKeysTest {

    /** Component (its package) -> the enums it counts into its one {@link Counters}. */
    static final Map<String, List<Class<? extends Counter>>> COMPONENTS = new LinkedHashMap<>();

    static {
        COMPONENTS.put("node", List.of(NodeCounter.class, MessageDrop.class));
        COMPONENTS.put("dc", List.of(DcCounter.class, MessageDrop.class));
        COMPONENTS.put("rs", List.of(RelayCounter.class, MessageDrop.class));
    }

    private static final Path SOURCES = Path.of("src/main/java/org/ntmlab/ntm");
    private static final Pattern COUNTED_ENUM = Pattern.compile("\\.count\\(\\s*([A-Z]\\w*)\\.\\w+");

    @Test
    void everyCounterEnumBelongsToAComponent() throws Exception {
        Set<String> listed = COMPONENTS.values().stream().flatMap(List::stream).map(Class::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(counterClassesInMain()).as("enums implementing Counter in the main classes; a new one is "
                + "listed in COMPONENTS so that its keys are checked").containsExactlyInAnyOrderElementsOf(listed);
    }

    @Test
    void noTwoCountersOfAComponentShareAKey() {
        COMPONENTS.forEach((component, enums) -> {
            Map<String, List<String>> byKey = new TreeMap<>();
            for (Class<? extends Counter> e : enums) {
                for (Counter c : e.getEnumConstants()) {
                    byKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(e.getSimpleName() + "." + c);
                }
            }
            Map<String, List<String>> shared = new TreeMap<>(byKey);
            shared.values().removeIf(l -> l.size() < 2);
            assertThat(shared).as("keys used by more than one counter of component " + component).isEmpty();
        });
    }

    @Test
    void keysPrintAsOneWord() {
        // the control channel prints a snapshot as {key=count, ...}: a key with '=', ',' or a
        // space could not be read back by the lab scripts
        for (List<Class<? extends Counter>> enums : COMPONENTS.values()) {
            for (Class<? extends Counter> e : enums) {
                for (Counter c : e.getEnumConstants()) {
                    assertThat(c.key()).as(e.getSimpleName() + "." + c).matches("[A-Za-z][A-Za-z0-9_]*");
                }
            }
        }
    }

    @Test
    void everyComponentCountsOnlyIntoItsOwnEnums() {
        COMPONENTS.forEach((component, enums) -> {
            Set<String> own = enums.stream().map(Class::getSimpleName).collect(Collectors.toSet());
            List<String> foreign = new ArrayList<>();
            try (Stream<Path> files = Files.walk(SOURCES.resolve(component))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = COUNTED_ENUM.matcher(Files.readString(f));
                    while (m.find()) {
                        if (!own.contains(m.group(1))) {
                            foreign.add(SOURCES.relativize(f) + ": " + m.group(0));
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(foreign).as("counts of component " + component + " into enums not listed for it").isEmpty();
        });
    }

    @Test
    void openOutcomesCountUnderTheirOwnNames() {
        // DC and RS counted TrafficKey.Result.name() before the enums existed
        for (TrafficKey.Result r : TrafficKey.Result.values()) {
            if (r == TrafficKey.Result.OK) {
                assertThat(r.drop()).isNull();
            } else {
                assertThat(r.drop().key()).isEqualTo(r.name());
            }
        }
    }

    /** The classes under the main classes directory that implement {@link Counter} (the interface aside). */
    private static Set<String> counterClassesInMain() throws IOException, URISyntaxException {
        Path root = Path.of(Counter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String rel = root.relativize(f).toString();
                String name = rel.substring(0, rel.length() - ".class".length()).replace(f.getFileSystem()
                        .getSeparator(), ".");
                Class<?> c;
                try {
                    c = Class.forName(name, false, CounterKeysTest.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue;
                }
                if (c != Counter.class && Counter.class.isAssignableFrom(c)) {
                    // an enum constant with a body is a subclass of its enum: count the enum once
                    found.add((c.isAnonymousClass() && c.getSuperclass().isEnum() ? c.getSuperclass() : c).getName());
                }
            }
        }
        return found;
    }
}
