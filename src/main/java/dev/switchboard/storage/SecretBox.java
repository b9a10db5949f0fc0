package dev.switchboard.storage;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Encrypts secrets that must be used again in clear (webhook signing secrets, header values), so the database never
 * holds them in clear. AES-256-GCM with a random IV per value; a stored value reads {@code enc:v1:<base64>}.
 * The key is {@code SWITCHBOARD_SECRET_KEY} (base64 of 32 bytes; every node of a cluster needs the same one), or else
 * a key generated on first start into {@code <data dir>/secret.key}, readable by its owner only.
 */
public final class SecretBox {
    private static final String PREFIX = "enc:v1:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private SecretBox(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The configured key, else the data folder's key file, created when missing. */
    public static SecretBox open(Optional<String> configuredKey, Path dataDir) {
        if (configuredKey.isPresent()) {
            return new SecretBox(decodeKey(configuredKey.get(), "SWITCHBOARD_SECRET_KEY"));
        }
        Path file = dataDir.resolve("secret.key");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDir);
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                Files.writeString(file, Base64.getEncoder().encodeToString(fresh));
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // Windows: the data folder's own permissions protect it
                }
            }
            return new SecretBox(decodeKey(Files.readString(file).strip(), file.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read or create the secret key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** For tests: a box with the given 32-byte key. */
    public static SecretBox of(byte[] key) { return new SecretBox(key.clone()); }

    public String seal(String plain) {
        if (plain == null) return null;
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Encryption failed", e);
        }
    }

    /** The clear value; a value stored before encryption (no prefix) is returned as it is. */
    public String open(String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) return stored;
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("A stored secret cannot be decrypted: is SWITCHBOARD_SECRET_KEY (or secret.key) "
                    + "the one it was written with?", e);
        }
    }

    private static byte[] decodeKey(String base64, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + " must be base64 of 32 bytes (e.g. `openssl rand -base64 32`)");
        }
        if (key.length != 32) {
            throw new IllegalArgumentException(source + " must be base64 of 32 bytes (e.g. `openssl rand -base64 32`), not " + key.length);
        }
        return key;
    }
}
