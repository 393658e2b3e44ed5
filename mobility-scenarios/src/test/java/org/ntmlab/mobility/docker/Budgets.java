package org.ntmlab.mobility.docker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Handover budgets of the Docker lab, from a committed properties file (docs/mobility-docker.md). */
record Budgets(double signallingP50Ms, double signallingP95Ms) {
    static Budgets load(String resource) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Budgets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            p.load(in);
        }
        return new Budgets(number(p, resource, "signalling.p50.ms"), number(p, resource, "signalling.p95.ms"));
    }

    private static double number(Properties p, String resource, String key) throws IOException {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IOException(resource + ": missing key " + key);
        }
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IOException(resource + ": " + key + " = '" + v + "' is not a number of milliseconds");
        }
    }
}
