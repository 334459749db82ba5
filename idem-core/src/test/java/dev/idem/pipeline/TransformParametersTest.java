package dev.idem.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.context.RunContext;
import dev.idem.schema.DataType;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Which {@code :names} of a transform are parameters, and the literals they become. */
class TransformParametersTest {
  @Test
  void castsSlicesLiteralsQuotedNamesAndCommentsAreNotParameters() {
    String sql =
        String.join(
            "\n",
            "SELECT x::int, a[1:n], ':in_string', \":in_name\", $$ :dollar $$",
            "-- :in_comment",
            "/* :in_block",
            " */ FROM staged WHERE t >= :window_start AND t < :window_end AND d = :logical_date");
    assertThat(TransformParameters.scan(sql))
        .extracting(TransformParameters.Use::name, TransformParameters.Use::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("window_start", 4),
            org.assertj.core.groups.Tuple.tuple("window_end", 4),
            org.assertj.core.groups.Tuple.tuple("logical_date", 4));
    assertThat(TransformParameters.firstUnknown(sql)).isNull();
  }

  @Test
  void theBoundsAreTypedLikeTheWindowColumn() {
    ZoneId kolkata = ZoneId.of("Asia/Kolkata");
    Window day = WindowSpec.day("at", kolkata).window("2024-05-01");
    RunContext context = new RunContext("p", "1", day, null, "r");
    String sql = "SELECT :window_start, :window_end, :logical_date";
    assertThat(TransformParameters.bind(sql, context, kolkata, DataType.Kind.TIMESTAMPTZ))
        .isEqualTo(
            "SELECT CAST('2024-04-30 18:30:00.000000+00:00' AS TIMESTAMP WITH TIME ZONE),"
                + " CAST('2024-05-01 18:30:00.000000+00:00' AS TIMESTAMP WITH TIME ZONE),"
                + " CAST('2024-05-01' AS DATE)");
    assertThat(TransformParameters.bind(sql, context, kolkata, DataType.Kind.TIMESTAMP))
        .startsWith("SELECT CAST('2024-05-01 00:00:00.000000' AS TIMESTAMP),");
    assertThat(TransformParameters.bind(sql, context, kolkata, DataType.Kind.DATE))
        .startsWith("SELECT CAST('2024-05-01' AS DATE), CAST('2024-05-02' AS DATE),");
    RunContext withDate = new RunContext("p", "1", day, LocalDate.of(2024, 6, 30), "r");
    assertThat(TransformParameters.bind(":logical_date", withDate, kolkata, null))
        .isEqualTo("CAST('2024-06-30' AS DATE)");
  }

  @Test
  void aWindowWithoutBoundsGivesTypedNulls() {
    RunContext context = new RunContext("p", "1", Window.full(), null, "r");
    assertThat(
            TransformParameters.bind(
                "SELECT :window_start, :logical_date", context, ZoneOffset.UTC, null))
        .isEqualTo("SELECT CAST(NULL AS TIMESTAMP WITH TIME ZONE), CAST(NULL AS DATE)");
  }

  @Test
  void anUnknownParameterIsRefusedWithItsLine() {
    assertThatThrownBy(() -> TransformParameters.check("SELECT 1\nFROM staged WHERE :today"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "transform.sql: unknown parameter :today, expected one of :logical_date, :window_start,"
                + " :window_end (write :: for a cast) at line 2");
  }
}
