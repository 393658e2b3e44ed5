package org.ntmlab.lab.topology;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The infrastructure roles of NTMobile (paper section 3). */
public enum ServerRole {
    /** Account Server. */
    AS,
    /** Direction Coordinator. */
    DC,
    /** Relay Server. */
    RS;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ServerRole> fromYaml(String s) {
        return Arrays.stream(values()).filter(r -> r.yamlName().equals(s)).findFirst();
    }

    public static String expected() {
        return Arrays.stream(values()).map(ServerRole::yamlName).collect(Collectors.joining(", "));
    }
}
