package org.ntmlab.ntm.as;

import org.ntmlab.ntm.keys.NodeKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
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

            NodeKey dcView = client.keyDirectory("dc-token").lookup(k.keyId()).get();
            assertThat(dcView.secret()).isEqualTo(k.secret());
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
}
