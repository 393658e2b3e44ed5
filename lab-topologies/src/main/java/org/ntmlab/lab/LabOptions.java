package org.ntmlab.lab;

import java.nio.file.Path;

/**
 * How a lab runs. {@link #defaults()} reads system properties (see docs/lab.md):
 * {@code ntm.lab.image}, {@code ntm.jar}, {@code ntm.lab.artifacts}, {@code ntm.lab.capture},
 * {@code ntm.lab.snaplen}, {@code ntm.lab.verifyNat}, {@code ntm.lab.relocate}.
 *
 * @param image       the base image built by scripts/lab-host-setup.sh
 * @param ntmJar      the ntm fat jar, bind-mounted read-only at /opt/ntm/ntm.jar when it exists
 * @param artifacts   root for captures and logs; each topology writes to artifacts/&lt;name&gt;/
 * @param capture     run tcpdump on every interface of every container
 * @param snaplen     bytes kept of each captured packet ({@code tcpdump -s}); 0 keeps whole packets
 * @param verifyNat   classify every router with stun-client at start and fail on a mismatch
 * @param relocate    when another lab holds the topology's prefixes, run on relocated ones
 *                    ({@link org.ntmlab.lab.topology.Relocation}) instead of waiting for it; only
 *                    for labs whose checks read every address from {@link Lab#topology()}
 * @param keep        label the lab as kept, so that {@link Lab#detach()} can leave it running after
 *                    its JVM ends ({@code ./ntm-lab up --keep}; removed by {@code ./ntm-lab down})
 */
public record LabOptions(String image, Path ntmJar, Path artifacts, boolean capture, int snaplen,
                         boolean verifyNat, boolean relocate, boolean keep) {
    public static final String DEFAULT_IMAGE = "ntm-lab/base:latest";
    /** Where the jar is mounted in every container. */
    public static final String JAR_IN_CONTAINER = "/opt/ntm/ntm.jar";
    /**
     * Default snap length of the per-interface captures: the link header (up to 20 bytes), an
     * IPv6 header with a few extension headers, UDP and the 20-byte NTM clear header, and
     * whole DNS questions and short answers, which is what path classification and the reports
     * read. A bulk TCP stream otherwise writes gigabytes per run (1,300-byte tunnel packets).
     */
    public static final int DEFAULT_SNAPLEN = 256;

    public LabOptions {
        if (snaplen < 0 || snaplen > 262_144) {
            throw new IllegalArgumentException("snaplen must be 0 (whole packets) or 1..262144, got " + snaplen);
        }
    }

    public static LabOptions defaults() {
        String snap = System.getProperty("ntm.lab.snaplen", Integer.toString(DEFAULT_SNAPLEN));
        int snaplen;
        try {
            snaplen = Integer.parseInt(snap.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dntm.lab.snaplen=" + snap + ": expected a number of bytes"
                    + " (0 keeps whole packets)");
        }
        return new LabOptions(System.getProperty("ntm.lab.image", DEFAULT_IMAGE),
                Path.of(System.getProperty("ntm.jar", "../ntm-impl/target/ntm.jar")),
                Path.of(System.getProperty("ntm.lab.artifacts", "target/lab")),
                Boolean.parseBoolean(System.getProperty("ntm.lab.capture", "true")),
                snaplen,
                Boolean.parseBoolean(System.getProperty("ntm.lab.verifyNat", "true")),
                Boolean.parseBoolean(System.getProperty("ntm.lab.relocate", "false")), false);
    }

    public LabOptions withCapture(boolean on) {
        return new LabOptions(image, ntmJar, artifacts, on, snaplen, verifyNat, relocate, keep);
    }

    public LabOptions withSnaplen(int bytes) {
        return new LabOptions(image, ntmJar, artifacts, capture, bytes, verifyNat, relocate, keep);
    }

    public LabOptions withVerifyNat(boolean on) {
        return new LabOptions(image, ntmJar, artifacts, capture, snaplen, on, relocate, keep);
    }

    public LabOptions withArtifacts(Path dir) {
        return new LabOptions(image, ntmJar, dir, capture, snaplen, verifyNat, relocate, keep);
    }

    public LabOptions withNtmJar(Path jar) {
        return new LabOptions(image, jar, artifacts, capture, snaplen, verifyNat, relocate, keep);
    }

    public LabOptions withRelocation(boolean on) {
        return new LabOptions(image, ntmJar, artifacts, capture, snaplen, verifyNat, on, keep);
    }

    public LabOptions withKeep(boolean on) {
        return new LabOptions(image, ntmJar, artifacts, capture, snaplen, verifyNat, relocate, on);
    }
}
