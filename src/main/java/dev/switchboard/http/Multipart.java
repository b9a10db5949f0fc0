package dev.switchboard.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import org.apache.commons.fileupload2.core.AbstractFileUpload;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.core.RequestContext;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * A multipart/form-data body read part by part, as a stream (nothing buffered to disk), with Commons FileUpload's
 * parser over a Helidon request. Only the streaming iterator is used; the parse-everything methods are delegated.
 */
final class Multipart extends AbstractFileUpload<RequestContext, DiskFileItem, DiskFileItemFactory> {
    private static final Multipart PARSER = new Multipart();

    private Multipart() {}

    static FileItemInputIterator parts(ServerRequest request) throws IOException {
        return PARSER.getItemIterator(new HelidonRequest(request));
    }

    @Override
    public FileItemInputIterator getItemIterator(RequestContext request) throws FileUploadException, IOException {
        return super.getItemIterator(request);
    }

    @Override
    public Map<String, List<DiskFileItem>> parseParameterMap(RequestContext request) throws FileUploadException {
        return super.parseParameterMap(request);
    }

    @Override
    public List<DiskFileItem> parseRequest(RequestContext request) throws FileUploadException {
        return super.parseRequest(request);
    }

    private record HelidonRequest(ServerRequest request) implements RequestContext {
        @Override public String getCharacterEncoding() { return null; }

        @Override public long getContentLength() { return request.headers().contentLength().orElse(-1); }

        @Override public String getContentType() { return request.headers().first(HeaderNames.CONTENT_TYPE).orElse(null); }

        @Override public InputStream getInputStream() { return request.content().inputStream(); }

        @Override public boolean isMultipartRelated() { return false; }
    }
}
