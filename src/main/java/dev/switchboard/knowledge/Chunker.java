package dev.switchboard.knowledge;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a document's text into chunks for retrieval, following its structure: paragraphs (blocks between blank
 * lines) are kept whole when they fit, a long paragraph is cut between sentences, a heading starts a new chunk and is
 * repeated at the head of each chunk under it (so a chunk says what it is about), and each chunk begins with the
 * end of the one before it (overlap), so that a sentence cut between two chunks is still found whole in one.
 */
final class Chunker {
    static final int TARGET_CHARS = 700;
    static final int OVERLAP_CHARS = 120;

    private Chunker() {}

    static List<String> chunks(String text) {
        List<String> out = new ArrayList<>();
        String heading = null;
        StringBuilder current = new StringBuilder();
        for (String block : text.replace("\r\n", "\n").split("\n\\s*\n")) {
            String b = block.strip();
            if (b.isEmpty()) continue;
            if (isHeading(b)) {
                flush(out, heading, current);
                current.setLength(0);
                heading = b.replaceFirst("^#+\\s*", "");
                continue;
            }
            for (String piece : pieces(b)) {
                if (!current.isEmpty() && current.length() + piece.length() + 1 > TARGET_CHARS) {
                    String tail = tail(current.toString());
                    flush(out, heading, current);
                    current.setLength(0);
                    current.append(tail);
                }
                if (!current.isEmpty()) current.append('\n');
                current.append(piece);
            }
        }
        flush(out, heading, current);
        return out;
    }

    private static boolean isHeading(String block) {
        return block.startsWith("#") && !block.contains("\n") && block.length() <= 200;
    }

    /** A block in pieces no longer than the target: whole, else cut between sentences, else between words. */
    private static List<String> pieces(String block) {
        if (block.length() <= TARGET_CHARS) return List.of(block);
        List<String> out = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        for (String sentence : block.split("(?<=[.!?])\\s+")) {
            for (String part : sentence.length() <= TARGET_CHARS ? List.of(sentence) : byWords(sentence)) {
                if (!piece.isEmpty() && piece.length() + part.length() + 1 > TARGET_CHARS) {
                    out.add(piece.toString());
                    piece.setLength(0);
                }
                if (!piece.isEmpty()) piece.append(' ');
                piece.append(part);
            }
        }
        if (!piece.isEmpty()) out.add(piece.toString());
        return out;
    }

    private static List<String> byWords(String sentence) {
        List<String> out = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (String word : sentence.split("\\s+")) {
            if (!part.isEmpty() && part.length() + word.length() + 1 > TARGET_CHARS) {
                out.add(part.toString());
                part.setLength(0);
            }
            if (!part.isEmpty()) part.append(' ');
            // A "word" longer than a chunk (a URL, a base64 blob) is cut where it must be.
            for (int i = 0; i < word.length(); i += TARGET_CHARS) {
                if (i > 0) {
                    out.add(part.toString());
                    part.setLength(0);
                }
                part.append(word, i, Math.min(word.length(), i + TARGET_CHARS));
            }
        }
        if (!part.isEmpty()) out.add(part.toString());
        return out;
    }

    /** The end of a chunk carried into the next one, starting at a word. */
    private static String tail(String chunk) {
        if (chunk.length() <= OVERLAP_CHARS) return chunk;
        String t = chunk.substring(chunk.length() - OVERLAP_CHARS);
        int space = t.indexOf(' ');
        return space >= 0 && space < t.length() - 1 ? t.substring(space + 1) : t;
    }

    private static void flush(List<String> out, String heading, StringBuilder current) {
        if (current.toString().isBlank()) return;
        out.add(heading == null ? current.toString() : heading + "\n\n" + current);
    }
}
