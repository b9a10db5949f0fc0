package dev.switchboard.common;

/** Who is calling: the API key, its organization, and whether it may administer organizations. */
public record Principal(String keyId, String organizationId, boolean admin) {}
