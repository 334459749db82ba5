package dev.idem.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import dev.idem.key.KeyEncoding;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.Schema;
import dev.idem.testkit.source.ListSource;
import dev.idem.window.WindowSpec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The exact bytes a staged row becomes: the message key and the JSON value. */
class RowMessagesTest {
  static final Schema ALL =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("name", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)),
          Column.of("ok", DataType.BOOLEAN),
          Column.of("day", DataType.DATE),
          Column.of("at", DataType.TIMESTAMP),
          Column.of("at_utc", DataType.TIMESTAMPTZ),
          Column.of("doc", DataType.JSON));

  static Pipeline pipeline(KeySpec key, WriteStrategy strategy) {
    return Pipeline.builder("p")
        .source(new ListSource(ALL))
        .windows(WindowSpec.full())
        .table("t")
        .key(key)
        .strategy(strategy)
        .build();
  }

  static Object[] row() {
    return new Object[] {
      42L,
      "ada \"q\" ünï",
      new BigDecimal("12.50"),
      true,
      LocalDate.parse("2024-03-01"),
      LocalDateTime.parse("2024-03-01T08:00:00"),
      Instant.parse("2024-03-01T07:00:00.120Z"),
      "{\"a\": [1, 2.50]}"
    };
  }

  static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void theValueIsAJsonObjectOfTheColumnsInDeclaredOrder() {
    RowMessages m = new RowMessages(pipeline(KeySpec.columns("id"), WriteStrategy.APPEND), "full");
    assertThat(text(m.value(row())))
        .isEqualTo(
            "{\"id\":42,\"name\":\"ada \\\"q\\\" ünï\",\"amount\":12.50,\"ok\":true,\"day\":\"2024-03-01\","
                + "\"at\":\"2024-03-01T08:00:00\",\"at_utc\":\"2024-03-01T07:00:00.12Z\",\"doc\":{\"a\": [1, 2.50]}}");
    Object[] nulls = new Object[ALL.size()];
    nulls[0] = 1L;
    assertThat(text(m.value(nulls)))
        .isEqualTo(
            "{\"id\":1,\"name\":null,\"amount\":null,\"ok\":null,\"day\":null,\"at\":null,\"at_utc\":null,\"doc\":null}");
  }

  @Test
  void keysAreCanonicalTextOfTheKeyColumns() {
    assertThat(
            text(
                new RowMessages(pipeline(KeySpec.columns("id"), WriteStrategy.APPEND), "full")
                    .key(row())))
        .isEqualTo("42");
    assertThat(
            text(
                new RowMessages(pipeline(KeySpec.columns("name"), WriteStrategy.APPEND), "full")
                    .key(row())))
        .isEqualTo("ada \"q\" ünï");
    assertThat(
            text(
                new RowMessages(
                        pipeline(KeySpec.columns("id", "amount", "at"), WriteStrategy.APPEND),
                        "full")
                    .key(row())))
        .isEqualTo("[\"42\",\"12.5\",\"2024-03-01T08:00:00\"]");
    Pipeline hashed = pipeline(KeySpec.hash("id", "name"), WriteStrategy.APPEND);
    Object[] staged = Arrays.copyOf(row(), ALL.size() + 1);
    staged[ALL.size()] = KeyEncoding.sha256Hex(42L, "ada \"q\" ünï");
    assertThat(text(new RowMessages(hashed, "full").key(staged)))
        .isEqualTo(staged[ALL.size()])
        .hasSize(64);
    assertThat(text(new RowMessages(hashed, "full").value(staged)))
        .endsWith(",\"_idem_key\":\"" + staged[ALL.size()] + "\"}");
  }

  @Test
  void aPipelineWithoutKeyGivesMessagesWithoutKey() {
    Pipeline p =
        Pipeline.builder("p")
            .source(new ListSource(ALL))
            .windows(WindowSpec.full())
            .table("t")
            .strategy(WriteStrategy.REPLACE_WINDOW)
            .build();
    assertThat(new RowMessages(p, "full").key(row())).isNull();
  }

  @Test
  void aNullKeyAndAJsonColumnThatIsNotJsonAreRefused() {
    RowMessages m =
        new RowMessages(
            pipeline(KeySpec.columns("id", "name"), WriteStrategy.APPEND), "2024-03-01");
    Object[] r = row();
    r[1] = null;
    assertThatThrownBy(() -> m.key(r))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "window 2024-03-01: a row has a NULL in key [id, name]; a key must identify a record");
    Object[] bad = row();
    bad[7] = "{\"a\": 1} trailing";
    assertThatThrownBy(() -> m.value(bad))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("json column 'doc'");
    bad[7] = "{\"a\": ";
    assertThatThrownBy(() -> m.value(bad))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("json column 'doc' is not valid JSON");
  }
}
