package dev.switchboard.files;

import dev.switchboard.http.Access;
import dev.switchboard.http.Api;
import dev.switchboard.http.Call;

/** Uploading and reading stored files. */
public final class FileRoutes {
    private FileRoutes() {}

    public static void register(Api api, FileStore files, long maxFileBytes) {
        api.post("/v1/files", Access.KEY, "Upload a file (multipart/form-data, part 'file'); its URL works in input.files",
                call -> {
                    Call.Upload upload = call.upload("file", maxFileBytes);
                    String type = FileContents.detect(upload.bytes(), upload.fileName(), upload.contentType());
                    call.json(201, files.save(call.organizationId(), upload.fileName(), type, upload.bytes()));
                });
        api.get("/v1/files/{id}", Access.KEY, "Download a stored file (the organization's keys only)", call -> {
            StoredFile f = files.get(call.organizationId(), call.path("id"));
            call.bytes(200, f.contentType(), files.read(call.organizationId(), f.id()),
                    "inline; filename=\"" + f.name().replace("\"", "") + "\"");
        });
        api.get("/v1/files/{id}/info", Access.KEY, "A stored file's name, size and type",
                call -> call.ok(files.get(call.organizationId(), call.path("id"))));
    }
}
