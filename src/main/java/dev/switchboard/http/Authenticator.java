package dev.switchboard.http;

import dev.switchboard.common.Principal;

import java.util.Optional;

/** Turns a presented API key into the caller, or nothing when the key is unknown. */
@FunctionalInterface
public interface Authenticator {
    Optional<Principal> authenticate(String apiKey);
}
