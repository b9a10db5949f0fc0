package dev.switchboard.files;

/** A stored file as the API shows it; {@code url} is where the organization's keys can read it. */
public record StoredFile(String id, String url, String name, long size, String contentType, String createdAt) {}
