package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The CSV fields the COPY stager writes: what PostgreSQL reads back must be the value staged. */
class CopyStagerProperties {

  @Property
  void aTimestampIsWrittenAsTheSameDateTime(
      @ForAll @LongRange(min = -62_135_596_800L, max = 253_402_300_799L) long epochSecond,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
      @ForAll @IntRange(min = 0, max = 9) int zeros) {
    int n = nanos - nanos % (int) Math.pow(10, zeros);
    LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, n, ZoneOffset.UTC);
    StringBuilder sb = new StringBuilder();
    assertThat(CopyStager.appendTimestamp(sb, t)).isTrue();
    assertThat(sb.toString()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{9})?");
    assertThat(LocalDateTime.parse(sb)).isEqualTo(t);
  }

  @Example
  void yearsOutsideOneTo9999AreLeftToToString() {
    StringBuilder sb = new StringBuilder();
    assertThat(CopyStager.appendTimestamp(sb, LocalDateTime.of(10_000, 1, 1, 0, 0))).isFalse();
    assertThat(CopyStager.appendTimestamp(sb, LocalDateTime.of(0, 1, 1, 0, 0))).isFalse();
    assertThat(sb).isEmpty();
    CopyStager.appendValue(sb, LocalDateTime.of(10_000, 1, 1, 0, 0));
    assertThat(sb).hasToString("\"+10000-01-01T00:00\"");
  }

  @Example
  void numbersAndTimestampsAreUnquotedTextIsQuotedNullIsEmpty() {
    StringBuilder sb = new StringBuilder();
    for (Object v :
        new Object[] {
          -42L,
          new BigDecimal("1E+3"),
          new BigDecimal("-0.50"),
          LocalDateTime.of(2024, 3, 1, 7, 5, 0, 120_000_000),
          "",
          "a,\"b\"",
          null,
          true
        }) {
      CopyStager.appendValue(sb, v);
      sb.append('|');
    }
    assertThat(sb)
        .hasToString("-42|1000|-0.50|2024-03-01T07:05:00.120000000|\"\"|\"a,\"\"b\"\"\"||\"t\"|");
  }
}
