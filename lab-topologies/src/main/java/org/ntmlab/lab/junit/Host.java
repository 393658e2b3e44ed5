package org.ntmlab.lab.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A parameter of an {@link NtmLabTest} test that is one host of the lab, by its name in the
 * topology: {@code NodeControl} for a node (either backend) or {@code LabHost} for any host of
 * the Docker lab.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Host {
    String value();
}
