package dev.idem.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.DataException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

class WindowSpecTest {
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  @Test
  void aDayWithTheSpringForwardIs23HoursLong() {
    Window w = WindowSpec.day("at", NEW_YORK).window("2024-03-10");
    assertThat(w.start()).isEqualTo(Instant.parse("2024-03-10T05:00:00Z"));
    assertThat(w.end()).isEqualTo(Instant.parse("2024-03-11T04:00:00Z"));
    assertThat(Duration.between(w.start(), w.end())).isEqualTo(Duration.ofHours(23));
  }

  @Test
  void aDayWithTheFallBackIs25HoursLong() {
    Window w = WindowSpec.day("at", NEW_YORK).window("2024-11-03");
    assertThat(Duration.between(w.start(), w.end())).isEqualTo(Duration.ofHours(25));
  }

  @Test
  void recordsAreAssignedToTheDayOfTheirZone() {
    WindowSpec spec = WindowSpec.day("at", NEW_YORK);
    assertThat(spec.assign(Instant.parse("2024-03-11T03:59:59Z")).id()).isEqualTo("2024-03-10");
    assertThat(spec.assign(Instant.parse("2024-03-11T04:00:00Z")).id()).isEqualTo("2024-03-11");
    assertThat(spec.assign(LocalDateTime.parse("2024-03-10T23:59:59")).id())
        .isEqualTo("2024-03-10");
    assertThat(spec.assign(LocalDate.parse("2024-03-10")).id()).isEqualTo("2024-03-10");
    assertThat(spec.assign(LocalDate.parse("2024-03-10"))).isEqualTo(spec.window("2024-03-10"));
  }

  @Test
  void hourWindowsAcrossTheFallBackAreDistinctAndOneHourLong() {
    WindowSpec spec = WindowSpec.hour("at", NEW_YORK);
    // 01:30 happens twice in New York on 2024-11-03: at 05:30Z (EDT) and 06:30Z (EST)
    Window first = spec.assign(Instant.parse("2024-11-03T05:30:00Z"));
    Window second = spec.assign(Instant.parse("2024-11-03T06:30:00Z"));
    assertThat(first.id()).isEqualTo("2024-11-03T05Z");
    assertThat(second.id()).isEqualTo("2024-11-03T06Z");
    for (Window w : List.of(first, second)) {
      assertThat(Duration.between(w.start(), w.end())).isEqualTo(Duration.ofHours(1));
    }
    List<Window> range = spec.range("2024-11-03T03Z", "2024-11-03T08Z");
    assertThat(range)
        .extracting(Window::id)
        .containsExactly(
            "2024-11-03T03Z",
            "2024-11-03T04Z",
            "2024-11-03T05Z",
            "2024-11-03T06Z",
            "2024-11-03T07Z",
            "2024-11-03T08Z");
    for (int i = 1; i < range.size(); i++) {
      assertThat(range.get(i).start()).isEqualTo(range.get(i - 1).end());
    }
  }

  @Test
  void hourWindowsAcrossTheSpringForwardHaveNoGap() {
    WindowSpec spec = WindowSpec.hour("at", NEW_YORK);
    // local 02:xx does not exist on 2024-03-10; a zone-less 02:30 is read as 03:30 EDT (07:30Z)
    assertThat(spec.assign(LocalDateTime.parse("2024-03-10T01:30:00")).id())
        .isEqualTo("2024-03-10T06Z");
    assertThat(spec.assign(LocalDateTime.parse("2024-03-10T03:30:00")).id())
        .isEqualTo("2024-03-10T07Z");
    assertThat(spec.assign(LocalDateTime.parse("2024-03-10T02:30:00")).id())
        .isEqualTo("2024-03-10T07Z");
    assertThat(spec.range("2024-03-10T05Z", "2024-03-10T08Z")).hasSize(4);
  }

  @Test
  void aDayRangeIncludesBothEndsAndCrossesDst() {
    List<Window> days = WindowSpec.day("at", NEW_YORK).range("2024-03-09", "2024-03-12");
    assertThat(days)
        .extracting(Window::id)
        .containsExactly("2024-03-09", "2024-03-10", "2024-03-11", "2024-03-12");
    for (int i = 1; i < days.size(); i++) {
      assertThat(days.get(i).start()).isEqualTo(days.get(i - 1).end());
    }
    assertThat(WindowSpec.day("at", NEW_YORK).range("2024-02-28", "2024-03-01"))
        .extracting(Window::id)
        .containsExactly("2024-02-28", "2024-02-29", "2024-03-01");
    assertThat(WindowSpec.day("at", NEW_YORK).range("2024-03-09", "2024-03-09")).hasSize(1);
  }

  @Test
  void badIdsAndRangesGiveOneLineConfigErrors() {
    WindowSpec day = WindowSpec.day("at", NEW_YORK);
    WindowSpec hour = WindowSpec.hour("at", NEW_YORK);
    assertOneLine(
        () -> day.window("2024-13-01"), "window '2024-13-01' is not a day: expected yyyy-MM-dd");
    assertOneLine(() -> day.window("2024-02-30"), "is not a day");
    assertOneLine(() -> day.window("15.03.2024"), "is not a day");
    assertOneLine(() -> hour.window("2024-03-15T07"), "is not a UTC hour: expected yyyy-MM-ddTHHZ");
    // a scheduler's time is an hour window's id when it is the hour's start
    assertThat(hour.window("2024-03-15T07:00Z").id()).isEqualTo("2024-03-15T07Z");
    assertOneLine(() -> hour.window("2024-03-15T07:10Z"), "is not the start of an hour window");
    assertOneLine(
        () -> day.range("2024-03-12", "2024-03-10"), "--from 2024-03-12 is after --to 2024-03-10");
    assertOneLine(
        () -> WindowSpec.full().window("2024-03-10"),
        "a full-refresh pipeline has the single window 'full'");
    assertOneLine(() -> WindowSpec.full().range("a", "b"), "--from/--to need day or hour windows");
    assertOneLine(
        () -> day.range("1900-01-01", "2200-01-01"),
        "more than " + WindowSpec.MAX_RANGE + " windows");
    assertOneLine(
        () -> new WindowSpec(WindowKind.DAY, null, NEW_YORK), "window kind day needs 'column'");
  }

  @Test
  void impossibleHoursAreRejected() {
    WindowSpec hour = WindowSpec.hour("at", NEW_YORK);
    assertThatThrownBy(() -> hour.window("2024-02-30T07Z")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> hour.window("2024-02-29T24Z")).isInstanceOf(ConfigException.class);
  }

  @Test
  void aRecordWithoutAWindowValueIsADataError() {
    assertThatThrownBy(() -> WindowSpec.day("at", NEW_YORK).assign(null))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("window column 'at' is null");
    assertThatThrownBy(() -> WindowSpec.day("at", NEW_YORK).assign("2024-03-10"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("holds String");
  }

  @Test
  void idsRoundTrip() {
    WindowSpec hour = WindowSpec.hour("at", NEW_YORK);
    assertThat(hour.window("2024-03-10T07Z").id()).isEqualTo("2024-03-10T07Z");
    assertThat(WindowSpec.file().window("a/b.csv").kind()).isEqualTo(WindowKind.FILE);
    assertThat(WindowSpec.batch().window("run-7")).isEqualTo(Window.batch("run-7"));
  }

  private static void assertOneLine(ThrowableAssert.ThrowingCallable call, String text) {
    assertThatThrownBy(call)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(text)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
