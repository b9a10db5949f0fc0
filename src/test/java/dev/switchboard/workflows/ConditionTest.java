package dev.switchboard.workflows;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Each condition operator on text and on a dot path of JSON output. */
class ConditionTest {
    private static Condition c(String type, String path, String value) {
        return new Condition(type, null, null, path, value);
    }

    @Test
    void operatorsOnText() {
        assertThat(c("regex", null, "^inv-\\d+$").test("inv-42")).isTrue();
        assertThat(c("regex", null, "^inv-\\d+$").test("receipt")).isFalse();
        assertThat(c("contains", null, "refund").test("please refund me")).isTrue();
        assertThat(c("equal", null, "yes").test(" yes\n")).isTrue();
        assertThat(c("not_equal", null, "yes").test("no")).isTrue();
        assertThat(c("not_empty", null, null).test("  ")).isFalse();
        assertThat(c("not_empty", null, null).test("x")).isTrue();
        assertThat(c("else", null, null).test("anything")).isTrue();
    }

    @Test
    void comparisonsOnADotPathOfJson() {
        String json = "{\"order\":{\"total\":120.5,\"items\":[{\"sku\":\"A1\"}]},\"status\":\"paid\"}";
        assertThat(c("gt", "order.total", "100").test(json)).isTrue();
        assertThat(c("lt", "order.total", "100").test(json)).isFalse();
        assertThat(c("gte", "order.total", "120.5").test(json)).isTrue();
        assertThat(c("lte", "order.total", "120.49").test(json)).isFalse();
        assertThat(c("equal", "order.items.0.sku", "A1").test(json)).isTrue();
        assertThat(c("equal", "status", "paid").test(json)).isTrue();
        assertThat(c("not_empty", "order.missing", null).test(json)).isFalse();
        assertThat(c("gt", "order.total", "100").test("not json")).isFalse();
    }

    @Test
    void problemsOfTheConditionItself() {
        assertThat(c("regex", null, "([").problem()).isPresent();
        assertThat(c("gt", "x", "many").problem()).isPresent();
        assertThat(c("contains", null, null).problem()).isPresent();
        assertThat(c("shout", null, "x").problem()).isPresent();
        assertThat(new Condition(null, null, "billing", null, null).problem()).isEmpty();
        assertThat(c("equal", "a.b", "1").problem()).isEmpty();
    }
}
