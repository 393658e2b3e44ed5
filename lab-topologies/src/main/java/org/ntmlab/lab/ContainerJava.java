package org.ntmlab.lab;

import com.sun.jna.Native;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

/**
 * Runs the lab's own in-container helpers (org.ntmlab.lab.nfq: they need only the JDK and JNA)
 * with the image's JRE.
 *
 * <p>The image has a JRE 17 but no JNA. Rather than a second fat jar (or depending on ntm.jar,
 * which is only mounted when it was built), the lab copies what a helper needs from its own
 * class path into the container with {@code docker cp} semantics (no helper container): the
 * helper's class files and the JNA jar the lab itself was loaded with. So any module that
 * starts a {@link Lab} (lab-topologies' ITs, mobility-scenarios, benchmarks) gets them without
 * build configuration.
 */
final class ContainerJava {
    static final String DIR = "/opt/ntm-lab/nfq";

    /** host name + class name, for what was copied already. */
    private final Set<String> installed = ConcurrentHashMap.newKeySet();

    /** Copies the helper classes (each with its nested classes) and JNA into the host, once. */
    void install(LabHost h, Class<?>... classes) {
        boolean jna = installed.add(h.name());
        if (jna) {
            h.execOk("mkdir -p " + DIR + "/classes /run/ntm");
            h.container().copyFileToContainer(MountableFile.forHostPath(jnaJar()), DIR + "/jna.jar");
        }
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(classes));
        while (!todo.isEmpty()) {
            Class<?> k = todo.pop();
            if (!installed.add(h.name() + " " + k.getName())) {
                continue;
            }
            String res = k.getName().replace('.', '/') + ".class";
            try (InputStream in = k.getClassLoader().getResourceAsStream(res)) {
                if (in == null) {
                    throw new LabException("class file " + res + " not found on the lab's class path");
                }
                h.container().copyFileToContainer(Transferable.of(in.readAllBytes()), DIR + "/classes/" + res);
            } catch (IOException e) {
                throw new LabException("cannot read " + res + ": " + e, e);
            }
            todo.addAll(List.of(k.getDeclaredClasses()));
        }
    }

    /** The shell command that runs {@code main} with a small heap (arguments appended as given). */
    static String command(Class<?> main, String args) {
        return "java -Xmx32m -Xss256k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djna.tmpdir=/tmp -cp " + DIR
                + "/classes:" + DIR + "/jna.jar " + main.getName() + " " + args;
    }

    private static Path jnaJar() {
        try {
            Path p = Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p)) {
                throw new LabException("JNA is not loaded from a jar (" + p + "): cannot copy it into a container");
            }
            return p;
        } catch (URISyntaxException | SecurityException e) {
            throw new LabException("cannot locate the JNA jar: " + e, e);
        }
    }
}
