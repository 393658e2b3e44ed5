package org.ntmlab.lab.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against one lab of a topology file, started once before its tests and
 * removed after them ({@link NtmLabExtension}); the tests get it, its topology and its hosts as
 * parameters: {@code NtmLab}, {@code Lab} (docker), {@code InMemoryLab} (memory), {@code Topology},
 * and {@code @Host("p1") NodeControl} / {@code @Host("p1") LabHost} (docker). docs/lab.md,
 * "JUnit 5 extension"; examples/lab-extension is a project that uses it.
 *
 * <pre>{@code
 * @NtmLabTest(topology = "topologies/table1.yaml", backend = NtmLabTest.Backend.DOCKER)
 * class MyTest {
 *     @Test
 *     void p2ReachesP1(@Host("p2") NodeControl p2) {
 *         assertThat(p2.resolve("p1.ntm.example").path()).isEqualTo("direct");
 *     }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(NtmLabExtension.class)
public @interface NtmLabTest {

    /** Which lab carries the topology. */
    enum Backend {
        /** Containers, Linux NATs and the ntm jar: needs the Docker engine and image (docs/lab.md). */
        DOCKER,
        /** The in-memory network in the test's own JVM: no Docker, seconds to start. */
        MEMORY
    }

    /**
     * The topology file: a path (relative to the working directory, i.e. the module), or
     * {@code classpath:name.yaml} for a test resource.
     */
    String topology();

    Backend backend() default Backend.MEMORY;

    /** Start AS, DC, RS and every node before the first test (false: the bare network). */
    boolean startNtm() default true;

    /** Docker: classify every router with stun-client at start and fail on a mismatch. */
    boolean verifyNat() default false;

    /**
     * Docker: when a test of the class failed, hold the lab for {@code -Dntm.lab.holdSeconds}
     * seconds (default 0: no hold) before removing it, and print how to look at it, so a failure
     * can be explored with docker exec and the live captures. Testcontainers removes a session's
     * containers when its JVM ends, so a test cannot leave a lab behind for good: for that, start
     * it with {@code ./ntm-lab up FILE --keep}.
     */
    boolean keepOnFailure() default false;
}
