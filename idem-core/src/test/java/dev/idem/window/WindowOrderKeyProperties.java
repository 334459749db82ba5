package dev.idem.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Window order keys sort as the windows should (ADR 0003): by time for day and hour windows, by
 * topic then partition then offset as numbers for stream windows, compared by code point in Java
 * and by UTF-8 bytes in a database with a binary collation alike.
 */
class WindowOrderKeyProperties {
  private static final WindowSpec DAYS = WindowSpec.day("at", ZoneId.of("Europe/Paris"));
  private static final WindowSpec HOURS = WindowSpec.hour("at", ZoneOffset.UTC);

  @Property
  void dayWindowsOrderByTime(@ForAll("days") LocalDate a, @ForAll("days") LocalDate b) {
    Window wa = DAYS.window(a.toString());
    Window wb = DAYS.window(b.toString());
    assertSameOrder(wa, wb, a.compareTo(b));
  }

  @Property
  void hourWindowsOrderByTime(@ForAll("hours") Instant a, @ForAll("hours") Instant b) {
    Window wa = HOURS.assign(a);
    Window wb = HOURS.assign(b);
    assertSameOrder(wa, wb, wa.start().compareTo(wb.start()));
  }

  @Property
  void streamWindowsOrderByTopicThenPartitionThenOffsetAsNumbers(
      @ForAll("topics") String topicA,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int partitionA,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long offsetA,
      @ForAll("topics") String topicB,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int partitionB,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long offsetB) {
    Window a = WindowSpec.offsets().window(WindowSpec.offsetsId(topicA, partitionA, offsetA));
    Window b = WindowSpec.offsets().window(WindowSpec.offsetsId(topicB, partitionB, offsetB));
    int expected = topicA.compareTo(topicB);
    if (expected == 0) {
      expected = Integer.compare(partitionA, partitionB);
    }
    if (expected == 0) {
      expected = Long.compare(offsetA, offsetB);
    }
    assertSameOrder(a, b, expected);
  }

  @Property
  void fileAndBatchWindowsOrderByIdInCodePointOrder(
      @ForAll("paths") String a, @ForAll("paths") String b) {
    Window wa = WindowSpec.file().window(a);
    Window wb = WindowSpec.file().window(b);
    int expected = Arrays.compareUnsigned(utf8(a), utf8(b));
    assertSameOrder(wa, wb, expected);
    assertThat(Integer.signum(Window.batch(a).compareTo(Window.batch(b))))
        .isEqualTo(Integer.signum(expected));
  }

  @Example
  void offset999IsBeforeOffset1000ThoughItSortsAfterItAsText() {
    Window w999 = WindowSpec.offsets().window("orders-0@999");
    Window w1000 = WindowSpec.offsets().window("orders-0@1000");
    assertThat(w999.orderKey()).isEqualTo("orders 0000000000 0000000000000000999");
    assertThat(w999.orderKey().compareTo(w1000.orderKey())).isNegative();
    assertThat(w999).isLessThan(w1000);
  }

  @Example
  void aRowOfAnotherWindowKindOrdersByItsId() {
    assertThat(Window.orderKey(WindowKind.OFFSETS, "2024-03-01")).isEqualTo("2024-03-01");
    assertThat(Window.orderKey(WindowKind.DAY, "2024-03-01")).isEqualTo("2024-03-01");
  }

  /**
   * {@code a} and {@code b} compare as {@code expected} says: their order keys by code point, by
   * UTF-8 bytes (as a database compares them bytewise), and the windows themselves.
   */
  private static void assertSameOrder(Window a, Window b, int expected) {
    int sign = Integer.signum(expected);
    assertThat(Integer.signum(Window.compareOrderKeys(a.orderKey(), b.orderKey())))
        .as("%s vs %s by code point", a.orderKey(), b.orderKey())
        .isEqualTo(sign);
    assertThat(Integer.signum(Arrays.compareUnsigned(utf8(a.orderKey()), utf8(b.orderKey()))))
        .as("%s vs %s by bytes", a.orderKey(), b.orderKey())
        .isEqualTo(sign);
    assertThat(Integer.signum(a.compareTo(b))).isEqualTo(sign);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Provide
  Arbitrary<LocalDate> days() {
    return Arbitraries.longs()
        .between(LocalDate.of(1, 1, 1).toEpochDay(), LocalDate.of(9999, 12, 31).toEpochDay())
        .map(LocalDate::ofEpochDay);
  }

  @Provide
  Arbitrary<Instant> hours() {
    return Arbitraries.longs()
        .between(
            Instant.parse("0001-01-01T00:00:00Z").getEpochSecond(),
            Instant.parse("9999-12-31T23:00:00Z").getEpochSecond())
        .map(s -> Instant.ofEpochSecond(s).truncatedTo(ChronoUnit.HOURS));
  }

  /** Kafka's topic characters: letters, digits, '.', '_' and '-'; few, so topics often repeat. */
  @Provide
  Arbitrary<String> topics() {
    return Arbitraries.strings().withChars("ab.-_Z9").ofMinLength(1).ofMaxLength(4);
  }

  /** Paths of a few characters, some beyond U+FFFF (where UTF-16 order is not code point order). */
  @Provide
  Arbitrary<String> paths() {
    return Arbitraries.of("a", "b", "/", ".", "-", "é", "あ", "\uFF61", "\uD83D\uDE00", "Z", "9")
        .list()
        .ofMinSize(1)
        .ofMaxSize(6)
        .map(parts -> String.join("", parts));
  }
}
