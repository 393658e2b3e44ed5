package org.ntmlab.pcap.timeline;

import java.util.Locale;

/**
 * Draws the timeline as SVG by hand: one row per move, one coloured bar per phase, an
 * x axis in milliseconds after move start, and a legend. Absorbed spans (a milestone was
 * missing) are hatched grey so they are not mistaken for the named phase alone.
 */
public final class TimelineChart {
    static final String[] COLORS = {
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    };
    static final int LEFT = 110;
    static final int RIGHT = 30;
    static final int TOP = 40;
    static final int ROW = 22;
    static final int BAR = 14;
    static final int PLOT_WIDTH = 860;

    private TimelineChart() {
    }

    public static String svg(TimelineReport report) {
        int rows = report.moves().size() + 1; // moves plus the mean row
        double maxMs = 1;
        for (MoveTimeline m : report.moves()) {
            maxMs = Math.max(maxMs, m.endMs());
        }
        double tick = niceTick(maxMs / 8);
        double axisMax = Math.ceil(maxMs / tick) * tick;
        int plotBottom = TOP + rows * ROW;
        int legendTop = plotBottom + 40;
        int phases = Milestone.values().length - 1;
        int height = legendTop + ((phases + 2) / 3) * 20 + 20;
        int width = LEFT + PLOT_WIDTH + RIGHT;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
        s.append("<defs><pattern id=\"absorbed\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                + "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#dddddd\"/>"
                + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999999\" stroke-width=\"2\"/></pattern></defs>\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">"
                + "Handover timeline (%d moves), ms after move-start</text>%n", LEFT, report.moves().size()));
        for (double t = 0; t <= axisMax + 1e-9; t += tick) {
            double x = x(t, axisMax);
            s.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e0e0e0\"/>%n", x, TOP - 4, x, plotBottom));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                    plotBottom + 16, label(t)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">ms</text>%n",
                LEFT + PLOT_WIDTH / 2, plotBottom + 32));
        int row = 0;
        for (MoveTimeline m : report.moves()) {
            int y = TOP + row * ROW;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">move %d%s</text>%n",
                    LEFT - 8, y + BAR - 2, m.index(), m.node().isEmpty() ? "" : " " + escape(m.node())));
            for (PhaseSpan p : m.phases()) {
                double x0 = x((p.startNanos() - m.startNanos()) / 1e6, axisMax);
                double x1 = x((p.endNanos() - m.startNanos()) / 1e6, axisMax);
                String fill = p.absorbed() ? "url(#absorbed)" : color(p.end());
                s.append(String.format(Locale.ROOT,
                        "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s: %.3f ms%s</title></rect>%n",
                        x0, y, Math.max(0.5, x1 - x0), BAR, fill, p.phase(), p.durationMs(),
                        p.absorbed() ? " (includes phases whose milestone was not seen)" : ""));
            }
            row++;
        }
        int y = TOP + row * ROW;
        s.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-weight=\"bold\">mean</text>%n", LEFT - 8, y + BAR - 2));
        double at = 0;
        for (Milestone ms : Milestone.values()) {
            if (ms == Milestone.MOVE_START) {
                continue;
            }
            PhaseStats st = report.stats(ms);
            if (st.count() == 0) {
                continue;
            }
            double x0 = x(at, axisMax);
            double x1 = x(Math.min(axisMax, at + st.mean()), axisMax);
            s.append(String.format(Locale.ROOT,
                    "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s: mean %.3f ms, p50 %.3f, p95 %.3f (n=%d)</title></rect>%n",
                    x0, y, Math.max(0.5, x1 - x0), BAR, color(ms), st.phase(), st.mean(), st.p50(), st.p95(), st.count()));
            at += st.mean();
        }
        int i = 0;
        for (Milestone ms : Milestone.values()) {
            if (ms == Milestone.MOVE_START) {
                continue;
            }
            int lx = LEFT + (i % 3) * 280;
            int ly = legendTop + (i / 3) * 20;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s (to %s)</text>%n", lx, ly, color(ms), lx + 18, ly + 11, ms.phase(), ms.key()));
            i++;
        }
        int lx = LEFT + (i % 3) * 280;
        int ly = legendTop + (i / 3) * 20;
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"url(#absorbed)\"/>"
                + "<text x=\"%d\" y=\"%d\">absorbed (milestone missing)</text>%n", lx, ly, lx + 18, ly + 11));
        s.append("</svg>\n");
        return s.toString();
    }

    static String color(Milestone m) {
        return COLORS[(m.ordinal() - 1) % COLORS.length];
    }

    private static double x(double ms, double axisMax) {
        return LEFT + ms / axisMax * PLOT_WIDTH;
    }

    static double niceTick(double raw) {
        double exp = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-6))));
        double f = raw / exp;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * exp;
    }

    private static String label(double t) {
        return t == Math.rint(t) ? String.format(Locale.ROOT, "%.0f", t) : String.format(Locale.ROOT, "%.2f", t);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
