package org.ntmlab.ntm.transport.memory;

/**
 * What a segment does to datagrams crossing it. Probabilities are in [0, 1].
 *
 * @param loss      probability a datagram is dropped
 * @param delayMs   one-way delay added to every datagram
 * @param jitterMs  uniform extra delay in [0, jitterMs]; makes reordering happen naturally
 * @param reorder   probability a datagram is held back an extra {@code 2 * delayMs + 1} ms
 * @param duplicate probability a datagram is delivered twice
 */
public record Impairment(double loss, double delayMs, double jitterMs, double reorder, double duplicate) {

    public static final Impairment NONE = new Impairment(0, 0, 0, 0, 0);

    public Impairment {
        check("loss", loss);
        check("reorder", reorder);
        check("duplicate", duplicate);
        if (delayMs < 0 || jitterMs < 0) {
            throw new IllegalArgumentException("delayMs and jitterMs must be >= 0");
        }
    }

    public boolean isNone() {
        return loss == 0 && delayMs == 0 && jitterMs == 0 && reorder == 0 && duplicate == 0;
    }

    private static void check(String name, double p) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException(name + " must be a probability in [0,1], got " + p);
        }
    }
}
