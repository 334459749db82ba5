package dev.idem.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class SqlNameTest {
  @Test
  void quotesAndDoublesEmbeddedQuotes() {
    assertThat(SqlName.quote("orders")).isEqualTo("\"orders\"");
    assertThat(SqlName.quote("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(SqlName.quote("x\"; DROP TABLE t; --")).isEqualTo("\"x\"\"; DROP TABLE t; --\"");
    assertThat(SqlName.quote("back\\slash")).isEqualTo("\"back\\slash\"");
    assertThat(SqlName.quote("Überweisung ı")).isEqualTo("\"Überweisung ı\"");
    assertThat(SqlName.list("r", List.of("a", "b\"c"))).isEqualTo("r.\"a\", r.\"b\"\"c\"");
  }

  @Test
  void refusesEmptyAndNulNames() {
    assertThatThrownBy(() -> SqlName.quote("")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> SqlName.quote("a\0b"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("NUL");
  }

  @Test
  void tableNamesSplitAtTheFirstDot() {
    assertThat(TableName.parse("orders").sql()).isEqualTo("\"orders\"");
    assertThat(TableName.parse("mart.orders").sql()).isEqualTo("\"mart\".\"orders\"");
    assertThat(TableName.parse("s.\"t").sql()).isEqualTo("\"s\".\"\"\"t\"");
  }

  /**
   * Unquoting a quoted name gives the name back, whatever it contains: no name escapes its quotes.
   */
  @Property
  void quotingRoundTrips(
      @ForAll @StringLength(min = 1, max = 30) @CharRange(from = '\u0001', to = '\u024f')
          String name) {
    String q = SqlName.quote(name);
    assertThat(q).startsWith("\"").endsWith("\"");
    String inner = q.substring(1, q.length() - 1);
    assertThat(inner.replace("\"\"", "")).doesNotContain("\"");
    assertThat(inner.replace("\"\"", "\"")).isEqualTo(name);
  }
}
