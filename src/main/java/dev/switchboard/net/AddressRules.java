package dev.switchboard.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Which addresses Switchboard must not connect to unless private networks are allowed: loopback, private,
 * link-local (cloud metadata lives there), unique-local, carrier-grade NAT, multicast, unspecified and reserved.
 */
final class AddressRules {
    private AddressRules() {}

    /** Why the address is refused, or empty when it is a public address. */
    static Optional<String> refusal(InetAddress address) {
        InetAddress a = unmapped(address);
        if (a.isAnyLocalAddress()) return Optional.of("an unspecified address");
        if (a.isLoopbackAddress()) return Optional.of("a loopback address");
        if (a.isLinkLocalAddress()) return Optional.of("a link-local address (cloud metadata lives there)");
        if (a.isSiteLocalAddress()) return Optional.of("a private address");
        if (a.isMulticastAddress()) return Optional.of("a multicast address");
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) return Optional.of("a reserved address");
            if (first == 100 && second >= 64 && second <= 127) return Optional.of("a carrier-grade NAT address");
            if (first == 192 && second == 0 && (b[2] & 0xff) == 0) return Optional.of("a reserved address");
            if (first == 198 && (second == 18 || second == 19)) return Optional.of("a reserved address");
            if (first >= 240) return Optional.of("a reserved address");
        } else if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) return Optional.of("a unique-local (private) address");
        }
        return Optional.empty();
    }

    /** An IPv4 address written as IPv6 (::ffff:a.b.c.d, or the deprecated ::a.b.c.d) is judged as the IPv4 one. */
    static InetAddress unmapped(InetAddress a) {
        if (!(a instanceof Inet6Address)) return a;
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) if (b[i] != 0) return a;
        boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1));
        if (!mapped && !compatible) return a;
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (java.net.UnknownHostException e) {
            return a;
        }
    }
}
