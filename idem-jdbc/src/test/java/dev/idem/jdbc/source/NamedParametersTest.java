package dev.idem.jdbc.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamedParametersTest {
  @Test
  void namedParametersBecomePlaceholdersOutsideLiteralsCommentsAndCasts() {
    NamedParameters p =
        NamedParameters.parse(
            "SELECT ':not_a_param', \"col:x\", a::text -- :comment\n FROM t /* :block */ WHERE u >= :window_start AND u < :window_end AND s = 'it''s :x'");
    assertThat(p.sql())
        .isEqualTo(
            "SELECT ':not_a_param', \"col:x\", a::text -- :comment\n FROM t /* :block */ WHERE u >= ? AND u < ? AND s = 'it''s :x'");
    assertThat(p.names()).isEqualTo(List.of("window_start", "window_end"));
  }

  @Test
  void anUnterminatedLiteralIsAClearError() {
    assertThatThrownBy(() -> NamedParameters.parse("SELECT 'abc FROM t"))
        .hasMessage("query has an unterminated string literal at offset 7");
  }
}
