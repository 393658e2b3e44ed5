package org.ntmlab.ntm.faults;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * The fault-injection report, {@code faults.md} and {@code faults.json}: one row per fault x
 * path (issue 10), written the same way by the in-memory suite and the Docker lab so that
 * their rows can be read side by side (docs/faults.md explains the columns).
 */
public final class FaultReport {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private FaultReport() {
    }

    /** Writes {@code faults.md} and {@code faults.json} into {@code dir} (created if absent). */
    public static void write(Path dir, String title, List<FaultRow> rows) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("faults.md"), markdown(title, rows), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("faults.json"), json(rows), StandardCharsets.UTF_8);
    }

    /** The Markdown table, with the budget and a verdict per row. */
    public static String markdown(String title, List<FaultRow> rows) {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n")
                .append("Budget: data and new resolves work again within ").append(FaultRow.RECOVERY_BUDGET_MS)
                .append(" ms of the target's return, every TCP byte back in order, virtual addresses unchanged.\n")
                .append("*interruption*: longest silence of the paced UDP stream; *recovered*: from the target's"
                        + " return to the first echo after it; *resolve*: from the return to a working new resolve.\n\n")
                .append("| backend | fault | target | path | outage | interruption | recovered | resolve |"
                        + " TCP bytes | TCP intact | addresses kept | verdict | note |\n")
                .append("|---|---|---|---|---:|---:|---:|---:|---:|---|---|---|---|\n");
        for (FaultRow r : rows) {
            List<String> p = r.problems();
            sb.append("| ").append(r.backend()).append(" | ").append(r.fault()).append(" | ").append(r.target())
                    .append(" | ").append(r.path()).append(" | ").append(FaultRow.ms(r.outageMs()))
                    .append(" | ").append(FaultRow.ms(r.interruptionMs())).append(" | ")
                    .append(FaultRow.ms(r.recoveredMs())).append(" | ").append(FaultRow.ms(r.resolveMs()))
                    .append(" | ").append(r.tcpBytes()).append(" | ").append(r.tcpIntact() ? "yes" : "**no**")
                    .append(" | ").append(r.addressesKept() ? "yes" : "**no**").append(" | ")
                    .append(p.isEmpty() ? "ok" : "**" + String.join("; ", p) + "**").append(" | ")
                    .append(r.note().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    /** The rows as a JSON array of objects, one field per record component plus {@code ok} and {@code problems}. */
    public static String json(List<FaultRow> rows) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (FaultRow r : rows) {
                g.writeStartObject();
                g.writeStringField("backend", r.backend());
                g.writeStringField("fault", r.fault());
                g.writeStringField("target", r.target());
                g.writeStringField("path", r.path());
                g.writeNumberField("outageMs", r.outageMs());
                g.writeNumberField("interruptionMs", r.interruptionMs());
                g.writeNumberField("recoveredMs", r.recoveredMs());
                g.writeNumberField("resolveMs", r.resolveMs());
                g.writeNumberField("tcpBytes", r.tcpBytes());
                g.writeBooleanField("tcpIntact", r.tcpIntact());
                g.writeBooleanField("addressesKept", r.addressesKept());
                g.writeStringField("note", r.note());
                g.writeBooleanField("ok", r.ok());
                g.writeArrayFieldStart("problems");
                for (String p : r.problems()) {
                    g.writeString(p);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString() + "\n";
    }
}
