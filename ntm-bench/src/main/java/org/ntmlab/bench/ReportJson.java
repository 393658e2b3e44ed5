package org.ntmlab.bench;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;

/**
 * The JSON files of the bench reports ({@code table2.json}, {@code tcp.json}), written with
 * Jackson's streaming generator (so every string is escaped) in the layout they always had:
 * two spaces per level, {@code "name": value}, one field or element per line, except that a
 * container deeper than the report's block depth, and an object inside an array, is written on
 * one line ({@code {"a": 1, "b": 2}}), and a field after {@link Layout#sameLine()} stays on the
 * line before. Numbers have a fixed count of decimals; NaN and infinities are null.
 */
final class ReportJson {

    /** One for all reports and threads: a {@link JsonFactory} is thread-safe once configured. */
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** What a report writes into its generator. */
    interface Body {
        void write(JsonGenerator g, Layout layout) throws IOException;
    }

    private ReportJson() {
    }

    /**
     * One JSON document and a final newline. Containers at depths 1..{@code blockDepth} (the
     * top-level object is at depth 1) are laid out one entry per line; deeper ones on one line.
     */
    static String write(int blockDepth, Body body) {
        StringWriter out = new StringWriter(4096);
        Layout layout = new Layout(blockDepth);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setPrettyPrinter(layout);
            body.write(g, layout);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.append('\n').toString();
    }

    /** {@code "name": v} with {@code decimals} decimals, or {@code "name": null} if v is not finite. */
    static void number(JsonGenerator g, String name, double v, int decimals) throws IOException {
        g.writeFieldName(name);
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            g.writeNull();
        } else {
            g.writeNumber(String.format(Locale.ROOT, "%." + decimals + "f", v));
        }
    }

    /**
     * The pretty printer behind {@link #write}. It keeps the open containers, so it serves one
     * generator only (a new one per report).
     */
    static final class Layout implements PrettyPrinter {
        private record Open(boolean array, boolean oneLine) {
        }

        private final int blockDepth;
        private final Deque<Open> open = new ArrayDeque<>();
        private boolean sameLine;

        Layout(int blockDepth) {
            this.blockDepth = blockDepth;
        }

        /** The next field of the current object follows on the same line, after {@code ", "}. */
        void sameLine() {
            sameLine = true;
        }

        private void push(boolean array) {
            Open parent = open.peek();
            boolean oneLine = parent != null
                    && (parent.oneLine() || open.size() + 1 > blockDepth || !array && parent.array());
            open.push(new Open(array, oneLine));
        }

        private boolean oneLine() {
            return open.isEmpty() || open.peek().oneLine();
        }

        private void newLine(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
            for (int i = 0; i < open.size(); i++) {
                g.writeRaw("  ");
            }
        }

        private void separator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            if (oneLine() || sameLine) {
                g.writeRaw(' ');
            } else {
                newLine(g);
            }
            sameLine = false;
        }

        private void first(JsonGenerator g) throws IOException {
            if (!oneLine()) {
                newLine(g);
            }
            sameLine = false;
        }

        private void close(JsonGenerator g, char c) throws IOException {
            boolean wasOneLine = open.pop().oneLine();
            if (!wasOneLine) {
                newLine(g);
            }
            g.writeRaw(c);
        }

        @Override
        public void writeRootValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
        }

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            push(false);
            g.writeRaw('{');
        }

        @Override
        public void beforeObjectEntries(JsonGenerator g) throws IOException {
            first(g);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            separator(g);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            close(g, '}');
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            push(true);
            g.writeRaw('[');
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) throws IOException {
            first(g);
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            separator(g);
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            close(g, ']');
        }
    }
}
