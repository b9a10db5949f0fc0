package dev.switchboard.knowledge;

import dev.switchboard.files.Attachment;
import dev.switchboard.llm.Embeddings;
import dev.switchboard.llm.ModelLimits;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Attached files that do not fit the model's context, cut down to what matters for the user's question: each file
 * is chunked as a knowledge-base document is, every chunk embedded with the question, and the most similar chunks
 * taken, best first, until the token budget is spent. Each file keeps its chosen chunks in document order, with
 * " … " where text was left out.
 */
public final class PassageRetrieval {
    private static final String GAP = "\n…\n";

    private final Embeddings embeddings;

    public PassageRetrieval(Embeddings embeddings) {
        this.embeddings = embeddings;
    }

    private record Piece(int file, int ordinal, String text, int tokens) {}

    public List<Attachment> fit(List<Attachment> files, String question, int tokenBudget) {
        List<Piece> pieces = new ArrayList<>();
        List<List<String>> chunksOf = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            List<String> chunks = files.get(f).isText() ? Chunker.chunks(files.get(f).text()) : List.of();
            chunksOf.add(chunks);
            for (int i = 0; i < chunks.size(); i++) {
                pieces.add(new Piece(f, i, chunks.get(i), ModelLimits.tokens(chunks.get(i))));
            }
        }
        if (pieces.isEmpty()) return files;
        float[] q = embeddings.embed(question.isBlank() ? "summary of the document" : question);
        List<float[]> vectors = embeddings.embedAll(pieces.stream().map(Piece::text).toList());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) order.add(i);
        order.sort(Comparator.comparingDouble((Integer i) -> dot(vectors.get(i), q)).reversed());
        List<TreeSet<Integer>> chosen = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) chosen.add(new TreeSet<>());
        int spent = 0;
        for (int i : order) {
            Piece p = pieces.get(i);
            if (spent + p.tokens() > tokenBudget) continue;
            spent += p.tokens();
            chosen.get(p.file()).add(p.ordinal());
        }
        List<Attachment> out = new ArrayList<>(files.size());
        for (int f = 0; f < files.size(); f++) {
            Attachment file = files.get(f);
            if (!file.isText()) {
                out.add(file);
                continue;
            }
            List<String> chunks = chunksOf.get(f);
            StringBuilder excerpt = new StringBuilder();
            int previous = -2;
            for (int ordinal : chosen.get(f)) {
                if (!excerpt.isEmpty()) excerpt.append(ordinal == previous + 1 ? "\n" : GAP);
                excerpt.append(chunks.get(ordinal));
                previous = ordinal;
            }
            out.add(file.withExcerpt(excerpt.toString()));
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
