package org.ntmlab.ntm.as;

import org.ntmlab.ntm.keys.NodeKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS login, key hand-over to the DC, refusals. */
class AccountServerTest {

    @TempDir
    Path dir;

    @Test
    void loginIssuesAKeyTheDcCanFetchAndWrongPasswordsAreRefused() throws Exception {
        AccountStore store = AccountStore.open(dir.resolve("accounts"));
        store.put("alice", "alice.ntm.example", "pw".toCharArray(), 1000);
        LabCa.ensure(dir.resolve("tls"), List.of("localhost", "127.0.0.1"));
        try (AccountServer as = new AccountServer(store, "dc-token", LabCa.serverContext(dir.resolve("tls")),
                new InetSocketAddress("127.0.0.1", 0))) {
            AsClient client = new AsClient(LabCa.clientContext(dir.resolve("tls/ca.pem")), as.localAddress());
            NodeKey k = client.login("alice", "pw".toCharArray());
            assertThat(k.fqdn()).isEqualTo("alice.ntm.example");
            NodeKey again = client.login("alice", "pw".toCharArray());
            assertThat(again.keyId()).as("each login gets a fresh key").isNotEqualTo(k.keyId());

            NodeKey dcView = client.keyDirectory("dc-token").lookup(again.keyId()).get();
            assertThat(dcView.secret()).isEqualTo(again.secret());
            assertThat(client.keyDirectory("dc-token").lookup(k.keyId()).get())
                    .as("a new login revokes the older key (issue 11: no replay under it)").isNull();
            assertThat(client.keyDirectory("wrong-token").lookup(k.keyId()).get()).isNull();
            assertThat(client.keyDirectory("dc-token").lookup(12345).get()).isNull();

            assertThatThrownBy(() -> client.login("alice", "nope".toCharArray()))
                    .isInstanceOf(AsClient.LoginRefusedException.class).hasMessageContaining("bad credentials");
            assertThatThrownBy(() -> client.login("mallory", "pw".toCharArray()))
                    .hasMessageContaining("bad credentials");
            assertThat(as.refusals()).isEqualTo(3);
            assertThat(as.handle("HELLO", "test")).startsWith("ERR unknown request");
        }
    }

    /**
     * Issue 11 finding 9: the DC token was a master key ({@code KEY <token> <id>} returned any
     * node's secret). A DC's token now reads its own domain's keys only; another domain's key
     * gets the answer of a key that does not exist, also for a domain nested inside its own.
     */
    @Test
    void aDcTokenReadsOnlyItsOwnDomainsKeys() throws Exception {
        AccountStore store = AccountStore.open(dir.resolve("accounts"));
        store.put("alice", "alice.ntm.example", "pw".toCharArray(), 1000);
        store.put("carol", "carol.b.ntm.example", "pw".toCharArray(), 1000);
        LabCa.ensure(dir.resolve("tls"), List.of("127.0.0.1"));
        DcTokens tokens = DcTokens.builder().scoped("ntm.example", "token-a").scoped("B.ntm.example.", "token-b")
                .build();
        try (AccountServer as = new AccountServer(store, IssuedKeys.inMemory(), tokens,
                LabCa.serverContext(dir.resolve("tls")), new InetSocketAddress("127.0.0.1", 0))) {
            AsClient client = new AsClient(LabCa.clientContext(dir.resolve("tls/ca.pem")), as.localAddress());
            NodeKey alice = client.login("alice", "pw".toCharArray());
            NodeKey carol = client.login("carol", "pw".toCharArray());
            assertThat(client.keyDirectory("token-a").lookup(alice.keyId()).get().secret()).isEqualTo(alice.secret());
            assertThat(client.keyDirectory("token-b").lookup(carol.keyId()).get().secret()).isEqualTo(carol.secret());
            assertThat(client.keyDirectory("token-a").lookup(carol.keyId()).get())
                    .as("b.ntm.example is not ntm.example's, though nested in it").isNull();
            assertThat(client.keyDirectory("token-b").lookup(alice.keyId()).get()).isNull();
            assertThat(as.handle("KEY token-a " + Long.toHexString(carol.keyId()), "test"))
                    .as("the same answer as a key that does not exist").isEqualTo("ERR unknown key");
            assertThat(as.refusals()).isEqualTo(3);
        }
        assertThat(DcTokens.domainOf("carol.b.ntm.example")).isEqualTo("b.ntm.example");
        assertThat(DcTokens.unscoped("t").match("t").covers("anyone.anywhere.example")).isTrue();
        assertThat(DcTokens.unscoped("t").match("u")).isNull();
        assertThatThrownBy(() -> DcTokens.builder().scoped(".example", "x")).hasMessageContaining("bad DC token domain");
    }

    @Test
    void aClientRefusesAnAsWhoseCertificateIsFromAnotherCa() throws Exception {
        AccountStore store = AccountStore.open(dir.resolve("accounts"));
        LabCa.ensure(dir.resolve("tls"), List.of("127.0.0.1"));
        LabCa.ensure(dir.resolve("other"), List.of("127.0.0.1"));
        try (AccountServer as = new AccountServer(store, "t", LabCa.serverContext(dir.resolve("tls")),
                new InetSocketAddress("127.0.0.1", 0))) {
            AsClient client = new AsClient(LabCa.clientContext(dir.resolve("other/ca.pem")), as.localAddress());
            assertThatThrownBy(() -> client.login("alice", "pw".toCharArray())).isInstanceOf(
                    SSLHandshakeException.class);
        }
    }

    /**
     * Issue 10: an AS restart lost every issued key, so a DC restarted after it could not find
     * the keys of registered nodes and every node had to be restarted by hand. The keys now live
     * in a 0600 file the restarted AS reads.
     */
    @Test
    void issuedKeysSurviveAnAsRestartInAFileOnlyTheOwnerCanRead() throws Exception {
        AccountStore store = AccountStore.open(dir.resolve("accounts"));
        store.put("alice", "alice.ntm.example", "pw".toCharArray(), 1000);
        LabCa.ensure(dir.resolve("tls"), List.of("127.0.0.1"));
        Path keyFile = dir.resolve("accounts.keys");
        NodeKey k;
        try (AccountServer as = new AccountServer(store, IssuedKeys.open(keyFile), "dc-token",
                LabCa.serverContext(dir.resolve("tls")), new InetSocketAddress("127.0.0.1", 0))) {
            k = new AsClient(LabCa.clientContext(dir.resolve("tls/ca.pem")), as.localAddress())
                    .login("alice", "pw".toCharArray());
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        try (AccountServer restarted = new AccountServer(store, IssuedKeys.open(keyFile), "dc-token",
                LabCa.serverContext(dir.resolve("tls")), new InetSocketAddress("127.0.0.1", 0))) {
            AsClient client = new AsClient(LabCa.clientContext(dir.resolve("tls/ca.pem")), restarted.localAddress());
            NodeKey dcView = client.keyDirectory("dc-token").lookup(k.keyId()).get();
            assertThat(dcView).as("the restarted AS hands the DC the key issued before").isNotNull();
            assertThat(dcView.secret()).isEqualTo(k.secret());
            assertThat(dcView.fqdn()).isEqualTo("alice.ntm.example");
        }
    }

    @Test
    void theKeyFileIsBoundedPerNameAndABadOneIsRefusedWithItsLine() throws Exception {
        Path keyFile = dir.resolve("keys");
        IssuedKeys keys = IssuedKeys.open(keyFile);
        NodeKey first = null;
        for (int i = 1; i <= IssuedKeys.KEYS_PER_NAME + 2; i++) {
            NodeKey k = new NodeKey(i, "bob.ntm.example", new byte[32]);
            first = first == null ? k : first;
            keys.add(k);
        }
        keys.add(new NodeKey(99, "carol.ntm.example", new byte[32]));
        IssuedKeys reread = IssuedKeys.open(keyFile);
        assertThat(reread.size()).isEqualTo(IssuedKeys.KEYS_PER_NAME + 1);
        assertThat(reread.get(first.keyId())).as("the oldest of bob's keys is forgotten").isNull();
        assertThat(reread.get(IssuedKeys.KEYS_PER_NAME + 2)).isNotNull();
        assertThat(reread.get(99)).isNotNull();

        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> IssuedKeys.open(keyFile)).hasMessageContaining("chmod 600");
        Path bad = dir.resolve("bad");
        Files.writeString(bad, "# comment\n1 a.ntm.example not-base64!\n");
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> IssuedKeys.open(bad)).hasMessageContaining(bad + ":2: ");
    }

    /**
     * Issue 11 finding 7: 128 LOGINs with wrong passwords (4 KB on one connection) kept the AS
     * busy 17.5 s. Now one LOGIN per connection, and from the third failure on the AS refuses
     * before hashing, for a second, doubling with each further failure.
     */
    @Test
    void guessingIsThrottledBeforeHashingAndEachConnectionCarriesOneLogin() throws Exception {
        AccountStore store = AccountStore.open(dir.resolve("accounts"));
        store.put("alice", "alice.ntm.example", "pw".toCharArray(), 1000);
        LabCa.ensure(dir.resolve("tls"), List.of("127.0.0.1"));
        try (AccountServer as = new AccountServer(store, "dc-token", LabCa.serverContext(dir.resolve("tls")),
                new InetSocketAddress("127.0.0.1", 0))) {
            javax.net.ssl.SSLContext tls = LabCa.clientContext(dir.resolve("tls/ca.pem"));
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
                    .createSocket(as.localAddress().getAddress(), as.localAddress().getPort())) {
                s.setSoTimeout(10_000);
                String wrong = "LOGIN alice " + java.util.Base64.getEncoder().encodeToString("no".getBytes()) + "\n";
                s.getOutputStream().write((wrong + wrong + wrong).getBytes());
                s.getOutputStream().flush();
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream()));
                assertThat(in.readLine()).isEqualTo("ERR bad credentials");
                assertThat(in.readLine()).as("one LOGIN per connection").isNull();
            }
            AsClient client = new AsClient(tls, as.localAddress());
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> client.login("alice", "nope".toCharArray())).hasMessageContaining("bad credentials");
            }
            assertThatThrownBy(() -> client.login("alice", "nope".toCharArray()))
                    .hasMessageContaining("too many failed logins: retry in 1 s");
            assertThatThrownBy(() -> client.login("alice", "pw".toCharArray()))
                    .as("locked even with the right password, for a second").hasMessageContaining("too many failed logins");
            assertThat(as.throttled()).isEqualTo(2);
            assertThat(as.refusals()).as("only three were hashed").isEqualTo(3);
            Thread.sleep(1100);
            assertThat(client.login("alice", "pw".toCharArray()).fqdn()).isEqualTo("alice.ntm.example");
        }
    }

    /**
     * Issue 11 finding 9: the CA key and the keystore password were written 0644. Every file
     * holding a secret is 0600 now, and the CA's directory 0700.
     */
    @Test
    void secretsAreReadableByTheirOwnerOnly() throws Exception {
        Path tls = dir.resolve("tls");
        LabCa.ensure(tls, List.of("127.0.0.1"));
        AccountStore.open(dir.resolve("accounts")).put("alice", "alice.ntm.example", "pw".toCharArray(), 1000);
        assertThat(mode(tls)).isEqualTo("rwx------");
        for (String f : List.of(LabCa.CA_KEY, LabCa.AS_STORE, LabCa.AS_STORE_PASS)) {
            assertThat(mode(tls.resolve(f))).as(f).isEqualTo("rw-------");
        }
        assertThat(mode(dir.resolve("accounts"))).as("password records").isEqualTo("rw-------");
        assertThat(mode(tls.resolve(LabCa.CA_CERT))).as("the CA certificate is public").isNotEqualTo("rw-------");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
