package org.ntmlab.lab;

import java.nio.file.Path;

/**
 * How a lab runs. {@link #defaults()} reads system properties (see docs/lab.md):
 * {@code ntm.lab.image}, {@code ntm.jar}, {@code ntm.lab.artifacts}, {@code ntm.lab.capture},
 * {@code ntm.lab.verifyNat}.
 *
 * @param image       the base image built by scripts/lab-host-setup.sh
 * @param ntmJar      the ntm fat jar, bind-mounted read-only at /opt/ntm/ntm.jar when it exists
 * @param artifacts   root for captures and logs; each topology writes to artifacts/&lt;name&gt;/
 * @param capture     run tcpdump on every interface of every container
 * @param verifyNat   classify every router with stun-client at start and fail on a mismatch
 */
public record LabOptions(String image, Path ntmJar, Path artifacts, boolean capture, boolean verifyNat) {
    public static final String DEFAULT_IMAGE = "ntm-lab/base:latest";
    /** Where the jar is mounted in every container. */
    public static final String JAR_IN_CONTAINER = "/opt/ntm/ntm.jar";

    public static LabOptions defaults() {
        return new LabOptions(System.getProperty("ntm.lab.image", DEFAULT_IMAGE),
                Path.of(System.getProperty("ntm.jar", "../ntm-impl/target/ntm.jar")),
                Path.of(System.getProperty("ntm.lab.artifacts", "target/lab")),
                Boolean.parseBoolean(System.getProperty("ntm.lab.capture", "true")),
                Boolean.parseBoolean(System.getProperty("ntm.lab.verifyNat", "true")));
    }

    public LabOptions withCapture(boolean on) {
        return new LabOptions(image, ntmJar, artifacts, on, verifyNat);
    }

    public LabOptions withVerifyNat(boolean on) {
        return new LabOptions(image, ntmJar, artifacts, capture, on);
    }

    public LabOptions withArtifacts(Path dir) {
        return new LabOptions(image, ntmJar, dir, capture, verifyNat);
    }

    public LabOptions withNtmJar(Path jar) {
        return new LabOptions(image, jar, artifacts, capture, verifyNat);
    }
}
