package dev.switchboard.knowledge;

import dev.switchboard.http.Access;
import dev.switchboard.http.Api;
import dev.switchboard.http.Call;

/** Knowledge bases and their documents (CONTRACT §9). */
public final class KnowledgeRoutes {
    private KnowledgeRoutes() {}

    public static void register(Api api, KnowledgeService knowledge, long maxFileBytes) {
        api.post("/v1/knowledge", Access.KEY, "Create a knowledge base",
                call -> call.json(201, knowledge.create(call.organizationId(), call.body(KnowledgeService.KnowledgeRequest.class))));
        api.get("/v1/knowledge", Access.KEY, "List knowledge bases",
                call -> call.ok(knowledge.list(call.organizationId(), call.pageRequest())));
        api.get("/v1/knowledge/{id}", Access.KEY, "Get a knowledge base",
                call -> call.ok(knowledge.get(call.organizationId(), call.path("id"))));
        api.patch("/v1/knowledge/{id}", Access.KEY, "Rename or describe a knowledge base",
                call -> call.ok(knowledge.update(call.organizationId(), call.path("id"), call.bodyObject())));
        api.delete("/v1/knowledge/{id}", Access.KEY, "Delete a knowledge base with its documents",
                call -> {
                    knowledge.delete(call.organizationId(), call.path("id"));
                    call.json(202, java.util.Map.of("deleted", true));
                });
        api.get("/v1/knowledge/{id}/documents", Access.KEY, "List a knowledge base's documents, in insertion order",
                call -> call.ok(knowledge.documents(call.organizationId(), call.path("id"), call.pageRequest())));
        api.post("/v1/knowledge/{id}/documents", Access.KEY,
                "Add documents: JSON {document_urls} or a multipart upload (part 'file'); ingested in the background",
                call -> {
                    boolean multipart = call.header("content-type").map(t -> t.toLowerCase().startsWith("multipart/")).orElse(false);
                    if (multipart) {
                        Call.Upload upload = call.upload("file", maxFileBytes);
                        call.json(202, knowledge.addUpload(call.organizationId(), call.path("id"), upload.fileName(),
                                upload.contentType().orElse("application/octet-stream"), upload.bytes()));
                    } else {
                        call.ok(knowledge.addByUrl(call.organizationId(), call.path("id"),
                                call.body(KnowledgeService.DocumentsRequest.class)));
                    }
                });
        api.get("/v1/knowledge/{id}/documents/{document_id}", Access.KEY, "Get a document with its text and status",
                call -> call.ok(knowledge.document(call.organizationId(), call.path("id"), call.path("document_id"))));
        api.delete("/v1/knowledge/{id}/documents/{document_id}", Access.KEY, "Delete a document and its chunks",
                call -> {
                    knowledge.deleteDocument(call.organizationId(), call.path("id"), call.path("document_id"));
                    call.noContent();
                });
        api.get("/v1/knowledge/{id}/search", Access.KEY, "Semantic search: the top_k chunks most similar to search_query",
                call -> call.ok(knowledge.search(call.organizationId(), call.path("id"), call.query("search_query"),
                        call.queryInt("top_k"))));
    }
}
