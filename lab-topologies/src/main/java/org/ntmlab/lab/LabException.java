package org.ntmlab.lab;

/** The lab could not be set up or a command in a lab container failed; the message says what to do. */
public class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
