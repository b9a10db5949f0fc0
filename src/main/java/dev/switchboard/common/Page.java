package dev.switchboard.common;

import java.util.List;
import java.util.function.Function;

/** The list envelope of the contract: {items, total, page, per_page, total_pages}. */
public record Page<T>(List<T> items, long total, int page, int perPage, long totalPages) {

    /** A validated page request: page ≥ 1, per_page 1..100. */
    public record Request(int page, int perPage) {
        public static final int MAX_PER_PAGE = 100;

        public Request {
            if (page < 1) throw ApiException.invalidQuery("page", "page must be 1 or more");
            if (perPage < 1 || perPage > MAX_PER_PAGE)
                throw ApiException.invalidQuery("per_page", "per_page must be between 1 and " + MAX_PER_PAGE);
        }

        /** A long: past page 2^31 / per_page the product would wrap around in int arithmetic. */
        public long offset() { return (long) (page - 1) * perPage; }
    }

    public static <T> Page<T> of(List<T> items, long total, Request request) {
        long pages = total == 0 ? 0 : (total + request.perPage() - 1) / request.perPage();
        return new Page<>(items, total, request.page(), request.perPage(), pages);
    }

    public <R> Page<R> map(Function<T, R> fn) {
        return new Page<>(items.stream().map(fn).toList(), total, page, perPage, totalPages);
    }
}
