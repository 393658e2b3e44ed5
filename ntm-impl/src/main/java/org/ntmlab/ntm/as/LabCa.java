package org.ntmlab.ntm.as;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.ntmlab.ntm.keys.OwnerOnlyFiles;

/**
 * A lab certificate authority for the AS's TLS (ARCHITECTURE.md "Security model": a lab CA
 * generated at start, or given). Files in its directory:
 * {@code ca.pem} (give this to nodes and DCs), {@code ca.key.pem}, {@code as.p12} (the AS's
 * key and chain) and {@code as.p12.pass}. ECDSA P-256 throughout.
 */
public final class LabCa {

    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca.key.pem";
    public static final String AS_STORE = "as.p12";
    public static final String AS_STORE_PASS = "as.p12.pass";
    private static final Duration VALIDITY = Duration.ofDays(365);

    private LabCa() {
    }

    /**
     * Creates the CA and an AS certificate valid for {@code names} (DNS names or IP literals)
     * in {@code dir}, unless they already exist. Returns true when it created them.
     */
    public static boolean ensure(Path dir, List<String> names) throws IOException {
        if (Files.exists(dir.resolve(CA_CERT)) && Files.exists(dir.resolve(AS_STORE))) {
            return false;
        }
        OwnerOnlyFiles.createDirectories(dir); // 0700: it holds the CA key and the AS keystore
        try {
            KeyPair ca = ecKeyPair();
            X500Name caName = new X500Name("CN=ntm-lab CA");
            Instant now = Instant.now();
            X509v3CertificateBuilder cab = new JcaX509v3CertificateBuilder(caName, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), caName,
                    ca.getPublic());
            cab.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            cab.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate caCert = sign(cab, ca.getPrivate());

            KeyPair as = ecKeyPair();
            X509v3CertificateBuilder asb = new JcaX509v3CertificateBuilder(caName, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)),
                    new X500Name("CN=ntm-lab AS"), as.getPublic());
            asb.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            asb.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                boolean ip = n.matches("[0-9.]+") || n.contains(":");
                sans.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
            }
            asb.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(sans.toArray(new GeneralName[0])));
            X509Certificate asCert = sign(asb, ca.getPrivate());

            Files.writeString(dir.resolve(CA_CERT), pem(caCert), StandardCharsets.US_ASCII);
            OwnerOnlyFiles.write(dir.resolve(CA_KEY), pem(ca.getPrivate()).getBytes(StandardCharsets.US_ASCII));
            char[] pass = randomPassword();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("as", as.getPrivate(), pass, new Certificate[] {asCert, caCert});
            var store = new java.io.ByteArrayOutputStream();
            ks.store(store, pass);
            OwnerOnlyFiles.write(dir.resolve(AS_STORE), store.toByteArray());
            OwnerOnlyFiles.write(dir.resolve(AS_STORE_PASS), new String(pass).getBytes(StandardCharsets.US_ASCII));
            return true;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create lab CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The AS's server context from {@code dir}. */
    public static SSLContext serverContext(Path dir) throws IOException {
        try {
            char[] pass = Files.readString(dir.resolve(AS_STORE_PASS), StandardCharsets.US_ASCII).strip()
                    .toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve(AS_STORE))) {
                ks.load(in, pass);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pass);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load AS key store from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A client context trusting only the CA in {@code caPem}. */
    public static SSLContext clientContext(Path caPem) throws IOException {
        try (InputStream in = Files.newInputStream(caPem)) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ntm-lab-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use CA certificate " + caPem + ": " + e.getMessage(), e);
        }
    }

    /** Default names for the AS certificate: loopback plus this host's name and addresses. */
    public static List<String> defaultNames() {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            InetAddress self = InetAddress.getLocalHost();
            names.add(self.getHostName());
            names.add(self.getHostAddress());
        } catch (IOException e) {
            // no resolvable host name: loopback names only
        }
        return names;
    }


    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }

    private static char[] randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b).toCharArray();
    }
}
