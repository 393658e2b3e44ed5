package org.ntmlab.ntm.as;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accounts survive a restart, passwords are stored hashed, bad files name the line. */
class AccountStoreTest {

    @TempDir
    Path dir;

    @Test
    void accountsSurviveReopeningAndPasswordsAreHashed() throws Exception {
        Path f = dir.resolve("accounts");
        AccountStore s = AccountStore.open(f);
        s.put("alice", "Alice.NTM.example", "s3cret pass".toCharArray(), 1000);
        String text = Files.readString(f);
        assertThat(text).doesNotContain("s3cret").contains("alice alice.ntm.example pbkdf2-sha256:1000:");

        AccountStore again = AccountStore.open(f);
        AccountStore.Account a = again.get("alice");
        assertThat(a.fqdn()).isEqualTo("alice.ntm.example");
        assertThat(PasswordHasher.verify("s3cret pass".toCharArray(), a.passwordRecord())).isTrue();
        assertThat(PasswordHasher.verify("s3cret pas".toCharArray(), a.passwordRecord())).isFalse();
    }

    @Test
    void twoHashesOfOnePasswordDiffer() {
        assertThat(PasswordHasher.hash("pw".toCharArray(), 1000)).isNotEqualTo(PasswordHasher.hash("pw".toCharArray(),
                1000));
    }

    @Test
    void aBadLineIsReportedWithItsNumber() throws Exception {
        Path f = dir.resolve("accounts");
        Files.writeString(f, "# comment\nalice alice.ntm.example pbkdf2-sha256:1000:AAAA:BBBB\nbob bob.ntm.example\n");
        assertThatThrownBy(() -> AccountStore.open(f)).isInstanceOf(IOException.class)
                .hasMessageContaining("accounts:3").hasMessageContaining("expected '<user> <fqdn> <password record>'");
        Files.writeString(f, "carol carol.ntm.example md5:xyz\n");
        assertThatThrownBy(() -> AccountStore.open(f)).hasMessageContaining("accounts:1: password record");
    }

    @Test
    void badNamesAreRefused() throws Exception {
        AccountStore s = AccountStore.open(dir.resolve("a"));
        assertThatThrownBy(() -> s.put("bad user", "x.ntm.example", new char[1], 1000))
                .hasMessageContaining("user name");
        assertThatThrownBy(() -> s.put("u", "nodots", new char[1], 1000)).hasMessageContaining("fully qualified");
    }
}
