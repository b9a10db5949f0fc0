package dev.switchboard.net;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkGuardTest {
    private final NetworkGuard guard = new NetworkGuard(false);

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/", "http://localhost:8080/x", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/", "http://100.64.0.1/", "http://224.0.0.1/",
            "http://[::1]/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd00:ec2::254]/",
            "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/", "http://[::ffff:169.254.169.254]/",
            "http://2130706433/", "http://3232235777/", "http://0/"})
    void refusesPrivateLoopbackLinkLocalAndOtherReservedAddresses(String url) {
        assertThatThrownBy(() -> guard.check(URI.create(url)))
                .isInstanceOf(NetworkGuard.Refused.class)
                .hasMessageContaining("SWITCHBOARD_ALLOW_PRIVATE_NETWORK");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://0x7f000001/", "http://017700000001/",
            "http://0177.1/", "http://010.0.0.1/", "http://0x08.0x08.0x08.0x08/"})
    void octalAndHexadecimalHostsAreRefusedEvenWhenPrivateNetworksAreAllowed(String url) {
        for (NetworkGuard g : List.of(guard, new NetworkGuard(true))) {
            // Refused as ambiguous, or (forms java.net.URI does not take for a host name) as having no host.
            assertThatThrownBy(() -> g.check(URI.create(url))).isInstanceOf(NetworkGuard.Refused.class)
                    .message().containsAnyOf("octal or hexadecimal", "has no host");
        }
        assertThat(NetworkGuard.ambiguousNumericHost("10.0.0.1")).isFalse();
        assertThat(NetworkGuard.ambiguousNumericHost("0.0.0.0")).isFalse();
        assertThat(NetworkGuard.ambiguousNumericHost("example.com")).isFalse();
        assertThat(NetworkGuard.ambiguousNumericHost("0x.example.com")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "100.128.0.1", "172.32.0.1"})
    void publicAddressesPass(String address) throws Exception {
        assertThat(AddressRules.refusal(InetAddress.getByName(address))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/x", "file:///etc/passwd", "gopher://x/", "http:///nohost", "http://127.1/"})
    void onlyHttpAndHttpsWithAHost(String url) {
        assertThatThrownBy(() -> guard.check(URI.create(url))).isInstanceOf(NetworkGuard.Refused.class);
    }

    @Test
    void aNameIsJudgedByEveryAddressItResolvesTo() {
        NetworkGuard g = new NetworkGuard(false, host -> new InetAddress[] {ip("8.8.8.8"), ip("10.0.0.5")}, AddressRules::refusal);
        assertThatThrownBy(() -> g.check(URI.create("https://rebind.example/")))
                .hasMessageContaining("10.0.0.5").hasMessageContaining("private address");
    }

    @Test
    void anUnresolvableHostIsRefused() {
        NetworkGuard g = new NetworkGuard(false, host -> new InetAddress[0], AddressRules::refusal);
        assertThatThrownBy(() -> g.check(URI.create("https://nowhere.invalid/"))).hasMessageContaining("cannot be resolved");
    }

    @Test
    void privateNetworksCanBeAllowed() throws Exception {
        new NetworkGuard(true).check(URI.create("http://127.0.0.1:9/"));
    }

    @Test
    void everyRedirectIsCheckedAgain() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        int port = server.getAddress().getPort();
        server.createContext("/start", ex -> {
            ex.getResponseHeaders().add("Location", "http://127.0.0.2:" + port + "/inside");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/ok", ex -> {
            byte[] body = "fine".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            // Treat 127.0.0.1 as public and every other address as private, to stand for a redirect inward.
            NetworkGuard g = new NetworkGuard(false, host -> new InetAddress[] {ip(host)},
                    a -> a.getHostAddress().equals("127.0.0.1") ? Optional.empty() : Optional.of("a private address"));
            assertThat(new String(g.get(URI.create("http://127.0.0.1:" + port + "/ok"), Map.of(), NetworkGuard.Limits.DEFAULT).body()))
                    .isEqualTo("fine");
            assertThatThrownBy(() -> g.get(URI.create("http://127.0.0.1:" + port + "/start"), Map.of(), NetworkGuard.Limits.DEFAULT))
                    .isInstanceOf(NetworkGuard.Refused.class).hasMessageContaining("127.0.0.2");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void answersLargerThanTheCapAreCut() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/big", ex -> {
            byte[] body = new byte[5000];
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            NetworkGuard g = new NetworkGuard(true);
            var limits = new NetworkGuard.Limits(Duration.ofSeconds(2), Duration.ofSeconds(5), 1000);
            assertThatThrownBy(() -> g.get(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/big"), Map.of(), limits))
                    .hasMessageContaining("larger than 1000 bytes");
        } finally {
            server.stop(0);
        }
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
