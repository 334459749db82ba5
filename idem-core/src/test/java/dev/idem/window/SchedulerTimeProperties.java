package dev.idem.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every form a scheduler may write an instant in ({@link SchedulerTime}) selects the same window as
 * the instant's canonical form ({@link Instant#toString()}), for day and hour windows, in UTC and
 * in zones whose offset is not whole hours.
 */
class SchedulerTimeProperties {
  private static final List<WindowSpec> SPECS =
      List.of(
          WindowSpec.day("at", ZoneOffset.UTC),
          WindowSpec.hour("at", ZoneOffset.UTC),
          WindowSpec.day("at", ZoneId.of("America/New_York")),
          WindowSpec.hour("at", ZoneId.of("Asia/Kolkata")),
          WindowSpec.day("at", ZoneId.of("Asia/Kolkata")));

  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");
  private static final DateTimeFormatter SPACED =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ssxxx");
  private static final DateTimeFormatter OFFSET =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");

  @Property
  void everyFormSelectsTheWindowOfTheCanonicalForm(
      @ForAll("instants") Instant at, @ForAll("specs") WindowSpec spec) {
    Window expected =
        spec.covering(SchedulerTime.parse("--logical-date", at.toString(), spec.zone()));
    assertThat(expected).isEqualTo(spec.assign(at));
    for (String form : forms(at, spec.zone())) {
      assertThat(spec.covering(SchedulerTime.parse("--logical-date", form, spec.zone())))
          .as(form)
          .isEqualTo(expected);
    }
  }

  @Property
  void aWindowStartInAnyFormIsTheWindowsId(
      @ForAll("instants") Instant at, @ForAll("specs") WindowSpec spec) {
    Window w = spec.assign(at);
    for (String form : forms(w.start(), spec.zone())) {
      assertThat(spec.window(form)).as(form).isEqualTo(w);
    }
    assertThat(spec.window(w.id())).isEqualTo(w);
  }

  @Property
  void anIntervalSelectsEveryWindowItOverlaps(
      @ForAll("instants") Instant start, @ForAll("specs") WindowSpec spec) {
    Instant end = start.plus(30, ChronoUnit.HOURS);
    List<Window> selected = spec.overlapping(start, end);
    assertThat(selected).first().isEqualTo(spec.assign(start));
    assertThat(selected).last().isEqualTo(spec.assign(end.minusNanos(1)));
    for (Window w : selected) {
      assertThat(w.start()).isBefore(end);
      assertThat(w.end()).isAfter(start);
    }
  }

  private static List<String> forms(Instant at, ZoneId zone) {
    List<String> forms = new ArrayList<>();
    forms.add(OFFSET.format(at.atOffset(ZoneOffset.UTC))); // 2024-05-01T00:00:00+00:00
    forms.add(at.atOffset(ZoneOffset.UTC).toLocalDateTime() + "Z");
    forms.add(MICROS.format(at.atOffset(ZoneOffset.UTC))); // Airflow's .000000+00:00
    forms.add(SPACED.format(at.atOffset(ZoneOffset.UTC))); // str() of a Python datetime
    forms.add(OFFSET.format(at.atZone(zone))); // the zone's own offset
    forms.add(LocalDateTime.ofInstant(at, zone).toString()); // zone-less: in the window zone
    return forms;
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Instant> any =
        Arbitraries.longs()
            .between(1_577_836_800L, 1_893_456_000L) // 2020..2030
            .map(Instant::ofEpochSecond);
    // hour and day boundaries are where a wrong form would pick the neighbour
    Arbitrary<Instant> hours = any.map(i -> i.truncatedTo(ChronoUnit.HOURS));
    return Arbitraries.oneOf(any, hours, hours.map(i -> i.minusSeconds(1)));
  }

  @Provide
  Arbitrary<WindowSpec> specs() {
    return Arbitraries.of(SPECS);
  }

  @Example
  void airflowsDataIntervalStartIsAnHourWindowId() {
    WindowSpec hours = WindowSpec.hour("at", ZoneOffset.UTC);
    assertThat(hours.window("2024-05-01T00:00:00+00:00").id()).isEqualTo("2024-05-01T00Z");
    assertThat(hours.window("2024-05-01T07:00:00.000000+00:00").id()).isEqualTo("2024-05-01T07Z");
    assertThat(WindowSpec.day("at", ZoneOffset.UTC).window("2024-05-01 00:00:00+00:00").id())
        .isEqualTo("2024-05-01");
  }

  @Example
  void aDateIsMidnightInTheWindowZone() {
    WindowSpec hours = WindowSpec.hour("at", ZoneId.of("Europe/Paris"));
    assertThat(
            hours.covering(SchedulerTime.parse("--logical-date", "2024-05-01", hours.zone())).id())
        .isEqualTo("2024-04-30T22Z");
  }

  @Example
  void aTimeInsideAWindowIsNotItsId() {
    WindowSpec hours = WindowSpec.hour("at", ZoneOffset.UTC);
    assertThatThrownBy(() -> hours.window("2024-05-01T07:30:00+00:00"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "window '2024-05-01T07:30:00+00:00' is not the start of an hour window (that would be"
                + " 2024-05-01T07Z): use --logical-date to select the window covering a time");
  }

  @Example
  void aBadValueNamesTheFlagTheValueAndTheForms() {
    assertThatThrownBy(() -> SchedulerTime.parse("--logical-date", "May 1st", ZoneOffset.UTC))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "--logical-date 'May 1st' is not a date or time: expected one of "
                + SchedulerTime.FORMS)
        .hasMessageNotContaining("\n");
  }

  @Example
  void dagstersHourlyPartitionKeyIsReadInTheWindowZone() {
    assertThat(SchedulerTime.tryParse("2024-05-01-07:00", ZoneId.of("Asia/Kolkata")))
        .isEqualTo(Instant.parse("2024-05-01T01:30:00Z"));
  }
}
