package org.ntmlab.pcap.report;

import java.util.Locale;

/**
 * A tiny streaming JSON writer, enough for the reports here (objects, arrays, strings, numbers),
 * with RFC 8259 string escaping. Not Jackson, unlike the other modules' JSON: pcap-analysis has no
 * runtime dependencies (its pom and docs/pcap-analysis.md), so that pcap-tool runs from its own jar.
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    private final boolean[] needComma = new boolean[64];
    private int depth;
    private boolean afterName;

    public JsonWriter beginObject() {
        value();
        out.append('{');
        needComma[++depth] = false;
        return this;
    }

    public JsonWriter endObject() {
        depth--;
        out.append('}');
        return this;
    }

    public JsonWriter beginArray() {
        value();
        out.append('[');
        needComma[++depth] = false;
        return this;
    }

    public JsonWriter endArray() {
        depth--;
        out.append(']');
        return this;
    }

    public JsonWriter name(String name) {
        if (needComma[depth]) {
            out.append(',');
        }
        needComma[depth] = true;
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String s) {
        value();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        return this;
    }

    public JsonWriter value(long v) {
        value();
        out.append(v);
        return this;
    }

    public JsonWriter value(boolean v) {
        value();
        out.append(v);
        return this;
    }

    /** Finite doubles with up to 3 decimals (milliseconds to the microsecond); NaN becomes null. */
    public JsonWriter value(double v) {
        value();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            out.append("null");
        } else {
            out.append(String.format(Locale.ROOT, "%.3f", v));
        }
        return this;
    }

    public JsonWriter nullValue() {
        value();
        out.append("null");
        return this;
    }

    private void value() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            if (needComma[depth]) {
                out.append(',');
            }
            needComma[depth] = true;
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
