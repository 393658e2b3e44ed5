package org.ntmlab.mobility.docker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Handover budgets of the Docker lab, from a committed properties file (docs/mobility-docker.md). */
record Budgets(double signallingP95Ms, double interruptionP95Ms) {
    static Budgets load(String resource) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Budgets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            p.load(in);
        }
        return new Budgets(Double.parseDouble(p.getProperty("signalling.p95.ms")),
                Double.parseDouble(p.getProperty("interruption.p95.ms")));
    }
}
