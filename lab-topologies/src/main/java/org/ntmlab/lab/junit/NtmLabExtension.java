package org.ntmlab.lab.junit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import org.ntmlab.lab.Lab;
import org.ntmlab.lab.LabHost;
import org.ntmlab.lab.LabOptions;
import org.ntmlab.lab.NtmLab;
import org.ntmlab.lab.control.NodeControl;
import org.ntmlab.lab.memory.InMemoryLab;
import org.ntmlab.lab.topology.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the lab of an {@link NtmLabTest} class: started before its first test (Docker labs
 * relocatable, so two classes of one topology run at once, docs/lab.md "Parallel labs"), removed
 * after its last, resolved into test parameters.
 */
public final class NtmLabExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver, TestWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(NtmLabExtension.class);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NtmLabExtension.class);
    private static final String LAB = "lab";
    private static final String FAILED = "failed";

    @Override
    public void beforeAll(ExtensionContext context) {
        NtmLabTest spec = spec(context);
        Topology t = Topology.load(topologyFile(spec.topology()));
        NtmLab lab;
        if (spec.backend() == NtmLabTest.Backend.MEMORY) {
            lab = InMemoryLab.start(t);
        } else {
            Lab d = Lab.start(t, LabOptions.defaults().withRelocation(true).withVerifyNat(spec.verifyNat()));
            if (spec.startNtm()) {
                try {
                    d.startNtm(180);
                } catch (RuntimeException e) {
                    d.close();
                    throw e;
                }
            }
            lab = d;
        }
        context.getStore(NS).put(LAB, lab);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        NtmLab lab = context.getStore(NS).remove(LAB, NtmLab.class);
        if (lab == null) {
            return;
        }
        try {
            boolean failed = Boolean.TRUE.equals(context.getStore(NS).get(FAILED, Boolean.class));
            long hold = Long.getLong("ntm.lab.holdSeconds", 0);
            if (failed && spec(context).keepOnFailure() && lab instanceof Lab d && hold > 0) {
                LOG.warn("event=lab-held run={} seconds={} artifacts={} (a test failed; look with docker exec -it"
                        + " ntmlab-{}-<host> bash, or ./ntm-lab inspect)", d.runId(), hold, d.artifactDir(), d.runId());
                try {
                    Thread.sleep(hold * 1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            lab.close();
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        // the class-level store: afterAll reads it
        context.getParent().ifPresent(p -> p.getStore(NS).put(FAILED, true));
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> type = pc.getParameter().getType();
        if (pc.isAnnotated(Host.class)) {
            return type == NodeControl.class || type == LabHost.class;
        }
        return type == NtmLab.class || type == Lab.class || type == InMemoryLab.class || type == Topology.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        NtmLab lab = lab(ec);
        Class<?> type = pc.getParameter().getType();
        Optional<Host> host = pc.findAnnotation(Host.class);
        if (host.isPresent()) {
            String name = host.get().value();
            if (lab.topology().hostNames().stream().noneMatch(name::equals)) {
                throw new ParameterResolutionException("@Host(\"" + name + "\"): " + lab.topology().source()
                        + " has hosts " + lab.topology().hostNames());
            }
            if (type == NodeControl.class) {
                if (lab.topology().node(name).isEmpty()) {
                    throw new ParameterResolutionException("@Host(\"" + name + "\") NodeControl: " + name
                            + " is not a node (only nodes have a control channel)");
                }
                return lab.control(name);
            }
            if (lab instanceof Lab d) {
                return d.host(name);
            }
            throw new ParameterResolutionException("@Host(\"" + name + "\") LabHost needs backend = DOCKER");
        }
        if (type == Topology.class) {
            return lab.topology();
        }
        if (!type.isInstance(lab)) {
            throw new ParameterResolutionException(type.getSimpleName() + " parameter, but the lab runs on "
                    + lab.backend() + " (NtmLabTest.backend)");
        }
        return lab;
    }

    private static NtmLab lab(ExtensionContext ec) {
        for (Optional<ExtensionContext> c = Optional.of(ec); c.isPresent(); c = c.get().getParent()) {
            NtmLab lab = c.get().getStore(NS).get(LAB, NtmLab.class);
            if (lab != null) {
                return lab;
            }
        }
        throw new ParameterResolutionException("no lab: is the class annotated @NtmLabTest?");
    }

    private static NtmLabTest spec(ExtensionContext context) {
        return context.getRequiredTestClass().getAnnotation(NtmLabTest.class) != null
                ? context.getRequiredTestClass().getAnnotation(NtmLabTest.class)
                : Optional.ofNullable(context.getRequiredTestClass().getEnclosingClass())
                        .map(c -> c.getAnnotation(NtmLabTest.class))
                        .orElseThrow(() -> new ExtensionConfigurationException("NtmLabExtension without @NtmLabTest on "
                                + context.getRequiredTestClass().getName()));
    }

    /** A path, or {@code classpath:x.yaml} copied to a temporary file under its own name. */
    static Path topologyFile(String spec) {
        if (!spec.startsWith("classpath:")) {
            Path p = Path.of(spec);
            if (!Files.isRegularFile(p)) {
                throw new ExtensionConfigurationException("@NtmLabTest(topology = \"" + spec + "\"): no such file (from "
                        + Path.of("").toAbsolutePath() + "); use classpath:NAME.yaml for a test resource");
            }
            return p;
        }
        String name = spec.substring("classpath:".length()).replaceFirst("^/", "");
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new ExtensionConfigurationException("@NtmLabTest(topology = \"" + spec + "\"): no such resource");
            }
            Path dir = Files.createTempDirectory("ntm-lab-topology");
            Path file = dir.resolve(Path.of(name).getFileName()); // the file name is the topology's default name
            Files.copy(in, file);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
