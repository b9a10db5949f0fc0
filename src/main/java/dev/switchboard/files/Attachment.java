package dev.switchboard.files;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One file attached to a run, as fetched and read: its text, or an image for models that take images, or why it could
 * not be used. Journaled with the run, so a resumed run sees the same files without fetching them again.
 *
 * @param status      {@code ok} or {@code error}
 * @param text        the extracted text (text-like files), else null
 * @param imageBase64 the image's bytes (images), else null
 * @param error       why the file could not be used (status error), else null
 * @param retrieved   true when {@code text} holds only the parts most relevant to the user's text (the whole did
 *                    not fit the model's context), not the whole file
 */
public record Attachment(String url, String name, String contentType, long size, String status, String text,
                         String imageBase64, String error, boolean retrieved) {

    public static Attachment text(String url, String name, String contentType, long size, String text) {
        return new Attachment(url, name, contentType, size, "ok", text, null, null, false);
    }

    public static Attachment image(String url, String name, String contentType, long size, String base64) {
        return new Attachment(url, name, contentType, size, "ok", null, base64, null, false);
    }

    public static Attachment failed(String url, String name, String contentType, long size, String error) {
        return new Attachment(url, name, contentType, size, "error", null, null, error, false);
    }

    /** The same file with only some of its text: the parts retrieved for the user's question. */
    public Attachment withExcerpt(String excerpt) {
        return new Attachment(url, name, contentType, size, status, excerpt, null, null, true);
    }

    // Not properties: Jackson would read "isText" as a boolean "text" and clash with the text itself in the journal.
    @JsonIgnore
    public boolean isImage() { return imageBase64 != null; }

    @JsonIgnore
    public boolean isText() { return text != null; }

    public Attachment withError(String why) {
        return failed(url, name, contentType, size, why);
    }
}
