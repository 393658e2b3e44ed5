package org.ntmlab.lab.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The observed path of each matrix cell, read from a matrix report ({@code matrix.json} or
 * {@code matrix-memory.json}, written by {@code scenario.MatrixReport}), to draw over a topology.
 */
public record MatrixOverlay(List<Cell> cells) {

    /**
     * One cell as observed.
     *
     * @param path      the MN's tunnel table: direct, relay, or null when the cell never got a tunnel
     * @param optimised a direct path reached by route optimisation (first relayed)
     * @param pcapPath  the capture's verdict where the backend has captures, else null
     * @param pass      the cell passed its checks
     * @param problem   why not, when it did not
     */
    public record Cell(String mn, String cn, String expected, String path, boolean optimised, String pcapPath,
                       boolean pass, String problem) {

        /** The tunnel table and the capture name different paths. */
        public boolean disagrees() {
            return path != null && pcapPath != null && !pcapPath.equals(path);
        }
    }

    public MatrixOverlay {
        cells = List.copyOf(cells);
    }

    public static MatrixOverlay none() {
        return new MatrixOverlay(List.of());
    }

    /** The cells of {@code topology} in a matrix report; other topologies' cells are left out. */
    public static MatrixOverlay read(Path matrixJson, String topology) throws IOException {
        JsonNode root = new ObjectMapper().readTree(matrixJson.toFile());
        if (!root.isArray()) {
            throw new IOException(matrixJson + ": not a matrix report (a JSON array of cells)");
        }
        List<Cell> out = new ArrayList<>();
        for (JsonNode c : root) {
            if (!topology.equals(c.path("topology").asText())) {
                continue;
            }
            JsonNode table = c.path("tunnelTable");
            JsonNode pcap = c.path("pcap");
            out.add(new Cell(c.path("mn").asText(), c.path("cn").asText(), text(c, "expected"), text(table, "path"),
                    table.path("optimised").asBoolean(false), text(pcap, "path"), c.path("pass").asBoolean(false),
                    text(c, "problem")));
        }
        return new MatrixOverlay(out);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
