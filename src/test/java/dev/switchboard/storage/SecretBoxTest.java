package dev.switchboard.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretBoxTest {

    @Test
    void aSealedValueOpensToItselfAndDiffersEachTime() {
        SecretBox box = SecretBox.of(new byte[32]);
        String a = box.seal("whsec_abc");
        String b = box.seal("whsec_abc");
        assertThat(a).startsWith("enc:v1:").doesNotContain("whsec_abc").isNotEqualTo(b);
        assertThat(box.open(a)).isEqualTo("whsec_abc");
        assertThat(box.open(null)).isNull();
        assertThat(box.seal(null)).isNull();
    }

    @Test
    void aValueStoredBeforeEncryptionReadsAsItIs() {
        assertThat(SecretBox.of(new byte[32]).open("plain")).isEqualTo("plain");
    }

    @Test
    void anotherKeyCannotOpenIt() {
        byte[] other = new byte[32];
        other[0] = 1;
        String sealed = SecretBox.of(new byte[32]).seal("x");
        assertThatThrownBy(() -> SecretBox.of(other).open(sealed)).hasMessageContaining("SWITCHBOARD_SECRET_KEY");
    }

    @Test
    void theKeyFileIsCreatedOnceAndKept(@TempDir Path dir) throws Exception {
        String sealed = SecretBox.open(Optional.empty(), dir).seal("kept");
        assertThat(Files.readString(dir.resolve("secret.key"))).isNotBlank();
        assertThat(SecretBox.open(Optional.empty(), dir).open(sealed)).isEqualTo("kept");
    }

    @Test
    void aConfiguredKeyMustBe32BytesOfBase64(@TempDir Path dir) {
        assertThatThrownBy(() -> SecretBox.open(Optional.of("short"), dir)).hasMessageContaining("32 bytes");
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        assertThat(SecretBox.open(Optional.of(key), dir).open(SecretBox.of(new byte[32]).seal("v"))).isEqualTo("v");
        assertThat(dir.resolve("secret.key")).doesNotExist();
    }
}
