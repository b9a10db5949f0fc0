package dev.switchboard.files;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.poi.sl.extractor.SlideShowExtractor;
import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xssf.extractor.XSSFExcelExtractor;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.extractor.XWPFWordExtractor;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.tika.detect.Detector;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What a file holds, read from its bytes: its type, detected from the content first (the name and the type the server
 * declared only break ties), and its text, extracted with a document library for each kind (PDFBox for PDF, POI for
 * DOCX, PPTX and XLSX, jsoup for HTML; text-like files as they are).
 */
public final class FileContents {
    public static final String PDF = "application/pdf";
    public static final String DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public static final String PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    public static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private static final Set<String> IMAGES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
    // Types that are text although not text/*: read as they are.
    private static final Set<String> TEXT_LIKE = Set.of("application/json", "application/xml", "application/x-yaml",
            "application/yaml", "application/javascript", "application/x-sh", "application/sql", "application/x-ndjson",
            "application/ld+json", "application/toml", "application/x-httpd-php");
    private static final Detector DETECTOR = MimeTypes.getDefaultMimeTypes();

    private FileContents() {}

    /** A file read: its text, an image, or a type we cannot read. */
    public sealed interface Read {
        String type();

        record Text(String type, String text) implements Read {}

        record Image(String type) implements Read {}

        record Unreadable(String type, String why) implements Read {}
    }

    public static Read read(byte[] bytes, String name, Optional<String> declaredType) {
        String type = detect(bytes, name, declaredType);
        try {
            return switch (type) {
                case PDF -> new Read.Text(type, pdf(bytes));
                case DOCX -> new Read.Text(type, docx(bytes));
                case PPTX -> new Read.Text(type, pptx(bytes));
                case XLSX -> new Read.Text(type, xlsx(bytes));
                case "text/html", "application/xhtml+xml" -> new Read.Text(type, html(bytes));
                default -> {
                    if (IMAGES.contains(type)) yield new Read.Image(type);
                    if (type.startsWith("text/") || TEXT_LIKE.contains(type)) yield new Read.Text(type, text(bytes));
                    // Source code and other plain text of types nobody registered: text when it decodes as UTF-8.
                    Optional<String> plain = strictUtf8(bytes);
                    yield plain.<Read>map(t -> new Read.Text("text/plain", t))
                            .orElseGet(() -> new Read.Unreadable(type, "files of type " + type + " cannot be read"));
                }
            };
        } catch (IOException | RuntimeException e) {
            return new Read.Unreadable(type, "the " + type + " file could not be read: " + e.getMessage());
        }
    }

    /** The type from the content (magic bytes), refined by the name and the declared type where the content is generic. */
    static String detect(byte[] bytes, String name, Optional<String> declaredType) {
        Metadata metadata = new Metadata();
        if (name != null && !name.isBlank()) metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, name);
        declaredType.ifPresent(t -> metadata.set(Metadata.CONTENT_TYPE, t));
        String type;
        try (TikaInputStream in = TikaInputStream.get(bytes)) {
            MediaType detected = DETECTOR.detect(in, metadata);
            type = detected.getBaseType().toString();
        } catch (IOException e) {
            type = "application/octet-stream";
        }
        // Office files are ZIP archives: without their extension the content says only "zip"; look inside.
        if (type.equals("application/zip") || type.equals("application/x-tika-ooxml")) {
            type = officeType(bytes).orElse(type);
        }
        return type.toLowerCase(Locale.ROOT);
    }

    private static Optional<String> officeType(byte[] bytes) {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String n = e.getName();
                if (n.startsWith("word/")) return Optional.of(DOCX);
                if (n.startsWith("ppt/")) return Optional.of(PPTX);
                if (n.startsWith("xl/")) return Optional.of(XLSX);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String pdf(byte[] bytes) throws IOException {
        try (PDDocument doc = Loader.loadPDF(bytes)) {
            return new PDFTextStripper().getText(doc).strip();
        }
    }

    private static String docx(byte[] bytes) throws IOException {
        try (XWPFWordExtractor x = new XWPFWordExtractor(new XWPFDocument(new ByteArrayInputStream(bytes)))) {
            return x.getText().strip();
        }
    }

    private static String pptx(byte[] bytes) throws IOException {
        try (var x = new SlideShowExtractor<>(new XMLSlideShow(new ByteArrayInputStream(bytes)))) {
            x.setNotesByDefault(true);
            return x.getText().strip();
        }
    }

    private static String xlsx(byte[] bytes) throws IOException {
        try (XSSFExcelExtractor x = new XSSFExcelExtractor(new XSSFWorkbook(new ByteArrayInputStream(bytes)))) {
            x.setIncludeSheetNames(true);
            x.setFormulasNotResults(false);
            return x.getText().strip();
        }
    }

    private static String html(byte[] bytes) throws IOException {
        Document doc = Jsoup.parse(new ByteArrayInputStream(bytes), null, "").outputSettings(new Document.OutputSettings().prettyPrint(false));
        doc.select("script, style, noscript, template").remove();
        String title = doc.title();
        String body = doc.body() == null ? "" : doc.body().wholeText();
        String text = (title.isBlank() ? "" : title + "\n\n") + body;
        return text.replaceAll("[ \\t\\x0B\\f\\r]+\\n", "\n").replaceAll("\\n{3,}", "\n\n").strip();
    }

    private static String text(byte[] bytes) {
        return strictUtf8(bytes).orElseGet(() -> new String(bytes, StandardCharsets.ISO_8859_1));
    }

    private static Optional<String> strictUtf8(byte[] bytes) {
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, bytes.length - start)).toString();
            return s.indexOf('\0') >= 0 ? Optional.empty() : Optional.of(s);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
