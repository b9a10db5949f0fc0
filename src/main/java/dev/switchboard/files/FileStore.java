package dev.switchboard.files;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Times;
import dev.switchboard.storage.Db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Optional;

/**
 * Files of an organization: the bytes under {@code <data>/files/<organization>/<id>}, the metadata in the database.
 * The bytes are written (to a temporary name, then moved) before the row, so a row never names missing bytes.
 */
public final class FileStore {
    private final Db db;
    private final Path root;
    private final Ids ids;
    private final Clock clock;

    public FileStore(Db db, Path dataDir, Ids ids, Clock clock) {
        this.db = db;
        this.root = dataDir.resolve("files");
        this.ids = ids;
        this.clock = clock;
    }

    public StoredFile save(String organizationId, String name, String contentType, byte[] bytes) {
        String id = ids.next();
        Path dir = root.resolve(organizationId);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, id, ".part");
            Files.write(tmp, bytes);
            Files.move(tmp, dir.resolve(id), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot store file " + id, e);
        }
        String now = Times.now(clock);
        db.update("INSERT INTO files(id, organization_id, name, content_type, size, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                id, organizationId, name, contentType, bytes.length, now);
        return new StoredFile(id, url(id), name, bytes.length, contentType, now);
    }

    public StoredFile get(String organizationId, String id) {
        return find(organizationId, id).orElseThrow(() -> new ApiException.NotFound("File not found"));
    }

    public byte[] read(String organizationId, String id) {
        get(organizationId, id);
        try {
            return Files.readAllBytes(root.resolve(organizationId).resolve(id));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read file " + id, e);
        }
    }

    public Optional<StoredFile> find(String organizationId, String id) {
        return db.queryOne("SELECT * FROM files WHERE organization_id = ? AND id = ?",
                rs -> new StoredFile(rs.getString("id"), url(rs.getString("id")), rs.getString("name"), rs.getLong("size"),
                        rs.getString("content_type"), rs.getString("created_at")), organizationId, id);
    }

    public static String url(String id) {
        return "/v1/files/" + id;
    }
}
