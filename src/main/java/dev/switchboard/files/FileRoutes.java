package dev.switchboard.files;

import dev.switchboard.http.Access;
import dev.switchboard.http.Api;

/** Reading stored files (uploads arrive with the files work). */
public final class FileRoutes {
    private FileRoutes() {}

    public static void register(Api api, FileStore files) {
        api.get("/v1/files/{id}", Access.KEY, "Download a stored file (the organization's keys only)", call -> {
            StoredFile f = files.get(call.organizationId(), call.path("id"));
            call.bytes(200, f.contentType(), files.read(call.organizationId(), f.id()),
                    "inline; filename=\"" + f.name().replace("\"", "") + "\"");
        });
        api.get("/v1/files/{id}/info", Access.KEY, "A stored file's name, size and type",
                call -> call.ok(files.get(call.organizationId(), call.path("id"))));
    }
}
