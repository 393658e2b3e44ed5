package org.ntmlab.ntm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Keeps the package structure that docs/architecture.md draws: the layer list in its
 * "Layers" block is read from the document itself, and every reference from one package of
 * {@code org.ntmlab.ntm} to another in the main sources (imports and fully qualified names)
 * must point to a lower line. Subpackages belong to their top-level package
 * ({@code stack.tcp} is {@code stack}). An upward or sideways reference would be a cycle in
 * the making, so the document and the code cannot drift apart silently.
 */
class LayeringTest {

    private static final Path SOURCES = Path.of("src/main/java/org/ntmlab/ntm");
    private static final Path ARCHITECTURE = Path.of("../docs/architecture.md");
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.ntmlab\\.ntm\\.([a-z0-9]+)\\b");

    @Test
    void everyPackageDependsOnlyOnLowerLayers() throws IOException {
        Map<String, Integer> layer = layersFromArchitectureDoc();
        Map<String, Set<String>> uses = packageReferences();

        assertThat(layer.keySet())
                .as("every package of ntm-impl is placed in the Layers block of docs/architecture.md")
                .containsAll(uses.keySet());

        List<String> upward = new ArrayList<>();
        uses.forEach((from, targets) -> targets.forEach(to -> {
            if (!from.equals(to) && layer.containsKey(to) && layer.get(to) <= layer.get(from)) {
                upward.add(from + " -> " + to + (layer.get(to).equals(layer.get(from)) ? " (same layer)" : " (upward)"));
            }
        }));
        assertThat(upward).as("references that break the layer order of docs/architecture.md").isEmpty();
    }

    @Test
    void theLayerBlockNamesOnlyPackagesThatExist() throws IOException {
        Set<String> existing = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(SOURCES)) {
            dirs.filter(Files::isDirectory).forEach(d -> existing.add(d.getFileName().toString()));
        }
        assertThat(existing).containsExactlyInAnyOrderElementsOf(layersFromArchitectureDoc().keySet());
    }

    /** Package name -> line index (0 = top) from the first code block after "## Layers". */
    static Map<String, Integer> layersFromArchitectureDoc() throws IOException {
        List<String> lines = Files.readAllLines(ARCHITECTURE);
        int i = 0;
        while (!lines.get(i).startsWith("## Layers")) {
            i++;
        }
        while (!lines.get(i).startsWith("```")) {
            i++;
        }
        Map<String, Integer> layer = new LinkedHashMap<>();
        int index = 0;
        for (i++; !lines.get(i).startsWith("```"); i++) {
            String line = lines.get(i);
            if (line.isBlank() || Character.isWhitespace(line.charAt(0))) {
                continue; // continuation of the previous line's description
            }
            // "as dc rs     the servers": the names are the words before the first run of 2+ spaces
            String names = line.split(" {2,}", 2)[0];
            for (String name : names.trim().split(" ")) {
                layer.put(name, index);
            }
            index++;
        }
        assertThat(layer).as("layers parsed from " + ARCHITECTURE).isNotEmpty();
        return layer;
    }

    /** Top-level package -> the other top-level packages its main sources reference. */
    static Map<String, Set<String>> packageReferences() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String own = SOURCES.relativize(f).getName(0).toString();
                Set<String> targets = uses.computeIfAbsent(own, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    targets.add(m.group(1));
                }
            }
        }
        return uses;
    }
}
