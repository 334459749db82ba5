package dev.idem.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.DataException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * A timestamptz offset in each accepted form ({@code Z}, {@code +08:00}, {@code +0800}, {@code
 * +08}, with {@code T} or a space) reads as the same instant; the forms still refused each say why
 * on one line.
 */
class OffsetFormsProperties {
  private static final Column TZ = Column.of("tz", DataType.TIMESTAMPTZ);

  @Property
  void everyAcceptedFormReadsTheSameInstant(
      @ForAll("instants") Instant i,
      @ForAll @IntRange(min = -18 * 4, max = 18 * 4) int quarterHours,
      @ForAll boolean space) {
    ZoneOffset offset = ZoneOffset.ofTotalSeconds(quarterHours * 900);
    LocalDateTime local = LocalDateTime.ofInstant(i, offset);
    String date = local.toString().replace('T', space ? ' ' : 'T');
    for (String form : forms(offset)) {
      assertThat(ValueParser.parse(TZ, date + form)).as(date + form).isEqualTo(i);
    }
  }

  /** Every way idem accepts to write {@code offset}; whole hours also as {@code +08}. */
  private static List<String> forms(ZoneOffset offset) {
    int total = offset.getTotalSeconds();
    char sign = total < 0 ? '-' : '+';
    int hours = Math.abs(total) / 3600;
    int minutes = Math.abs(total) % 3600 / 60;
    String hh = String.format(Locale.ROOT, "%c%02d", sign, hours);
    String mm = String.format(Locale.ROOT, "%02d", minutes);
    List<String> forms = List.of(hh + ":" + mm, hh + mm, hh + ":" + mm + ":00", hh + mm + "00");
    if (total == 0) {
      return List.of("Z", "+00:00", "+0000", "+00", "-00:00");
    }
    return minutes == 0 ? concat(forms, hh) : forms;
  }

  private static List<String> concat(List<String> forms, String more) {
    ArrayList<String> all = new ArrayList<>(forms);
    all.add(more);
    return all;
  }

  @Example
  void theIssuesExamples() {
    Instant expected = Instant.parse("2024-03-14T23:00:00Z");
    assertThat(ValueParser.parse(TZ, "2024-03-15 07:00:00+0800")).isEqualTo(expected);
    assertThat(ValueParser.parse(TZ, "2024-03-15T07:00:00+08")).isEqualTo(expected);
    assertThat(ValueParser.parse(TZ, "2024-03-14 15:00:00-08")).isEqualTo(expected);
    assertThat(ValueParser.parse(TZ, "2024-03-14T15:00:00.000-0800")).isEqualTo(expected);
  }

  @Example
  void formsStillRefused() {
    refused(
        "2024-03-15T07:00:00+8",
        "column tz: '2024-03-15T07:00:00+8' is not a timestamptz: expected"
            + " yyyy-MM-ddTHH:mm:ss[.fff] followed by Z or an offset, e.g. 2024-03-15T07:00:00Z");
    refused(
        "2024-03-15T07:00:00+080",
        "column tz: '2024-03-15T07:00:00+080' is not a timestamptz: expected"
            + " yyyy-MM-ddTHH:mm:ss[.fff] followed by Z or an offset, e.g. 2024-03-15T07:00:00Z");
    refused(
        "2024-03-15T07:00:00+19:00",
        "column tz: '2024-03-15T07:00:00+19:00' is not a timestamptz: expected"
            + " yyyy-MM-ddTHH:mm:ss[.fff] followed by Z or an offset, e.g. 2024-03-15T07:00:00Z");
    refused(
        "2024-03-15T07:00:00 +08:00",
        "column tz: '2024-03-15T07:00:00 +08:00' is not a timestamptz: expected"
            + " yyyy-MM-ddTHH:mm:ss[.fff] followed by Z or an offset, e.g. 2024-03-15T07:00:00Z");
    refused(
        "2024-03-15T07:00:00 PST",
        "column tz: '2024-03-15T07:00:00 PST' is not a timestamptz: expected"
            + " yyyy-MM-ddTHH:mm:ss[.fff] followed by Z or an offset, e.g. 2024-03-15T07:00:00Z");
    refused(
        "2024-03-15 07:00:00",
        "column tz: '2024-03-15 07:00:00' has no offset: a timestamptz needs Z or an offset,"
            + " e.g. 2024-03-15T07:00:00Z or 2024-03-15T09:00:00+02:00");
  }

  @Example
  void aTimestampColumnStillRefusesEveryOffsetForm() {
    Column ts = Column.of("ts", DataType.TIMESTAMP);
    for (String v : List.of("2024-03-15 07:00:00+0800", "2024-03-15T07:00:00-08")) {
      assertThatThrownBy(() -> ValueParser.parse(ts, v))
          .isInstanceOf(DataException.class)
          .hasMessage(
              "column ts: '"
                  + v
                  + "' has a time zone offset: a timestamp column holds local date-times"
                  + " (e.g. 2024-03-15T07:00:00); declare the column timestamptz to keep the"
                  + " offset");
    }
  }

  private static void refused(String text, String message) {
    assertThatThrownBy(() -> ValueParser.parse(TZ, text))
        .isInstanceOf(DataException.class)
        .hasMessage(message);
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.longs()
        .between(
            Instant.parse("0001-01-02T00:00:00Z").getEpochSecond(),
            Instant.parse("9999-12-30T00:00:00Z").getEpochSecond())
        .flatMap(
            s ->
                Arbitraries.integers()
                    .between(0, 999)
                    .map(ms -> Instant.ofEpochSecond(s, ms * 1_000_000L)));
  }
}
