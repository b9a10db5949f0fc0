package dev.switchboard.webhooks;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SignaturesTest {

    @Test
    void matchesTheStandardWebhooksReferenceVector() {
        // The example of the Standard Webhooks libraries' tests.
        String signature = Signatures.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330L, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void newSecretsAreWhsecWith24RandomBytes() {
        String a = Signatures.newSecret();
        assertThat(a).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(a.substring(6))).hasSize(24);
        assertThat(Signatures.newSecret()).isNotEqualTo(a);
    }

    @Test
    void aRotationSendsOneSignaturePerSecret() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String header = Signatures.header(List.of("whsec_AAAA", "plain-agent-secret"), "id", 1, body);
        assertThat(header.split(" ")).containsExactly(Signatures.sign("whsec_AAAA", "id", 1, body),
                Signatures.sign("plain-agent-secret", "id", 1, body));
        // A secret that is not whsec_ base64 is used as its bytes.
        assertThat(Signatures.key("plain-agent-secret")).isEqualTo("plain-agent-secret".getBytes(StandardCharsets.UTF_8));
    }
}
