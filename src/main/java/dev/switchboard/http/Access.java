package dev.switchboard.http;

/** Who may call a route. */
public enum Access {
    /** No key needed (health, readiness, the OpenAPI document). */
    PUBLIC,
    /** Any valid key; the call sees its key's organization only. */
    KEY,
    /** Admin keys only. */
    ADMIN
}
