package org.ntmlab.ntm.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.ntmlab.ntm.as.LabCa;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `ntm ca`: make the lab CA and the AS certificate. */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "Create a lab CA and an AS certificate in a directory (kept if they exist).")
final class CaCommand implements Callable<Integer> {

    @Option(names = "--dir", required = true, description = "directory for ca.pem, ca.key.pem, as.p12")
    Path dir;

    @Option(names = "--name", split = ",", description = "names and IP addresses the AS certificate is valid for "
            + "(default: localhost, loopback, this host)")
    List<String> names;

    @Override
    public Integer call() throws Exception {
        boolean made = LabCa.ensure(dir, names == null ? LabCa.defaultNames() : names);
        System.out.println((made ? "created " : "kept existing ") + dir.resolve(LabCa.CA_CERT));
        return 0;
    }
}
