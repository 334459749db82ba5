package dev.idem.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.TimeZone;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class KeyEncodingProperties {

  @Provide
  Arbitrary<String> anyString() {
    // all of UTF-16, unpaired surrogates included
    return Arbitraries.strings().all().ofMaxLength(12);
  }

  /** Few characters, surrogates among them, so that near-collisions are common. */
  @Provide
  Arbitrary<String> trickyString() {
    return Arbitraries.strings()
        .withChars('a', '?', '\uD800', '\uDC00', '\uD83D', '\uDE00', '\uFFFD', '\u0000')
        .ofMaxLength(4);
  }

  @Property
  void distinctTrickyStringsHaveDistinctEncodings(
      @ForAll("trickyString") String s, @ForAll("trickyString") String t) {
    if (s.equals(t)) {
      return;
    }
    assertThat(KeyEncoding.sha256Hex(s)).isNotEqualTo(KeyEncoding.sha256Hex(t));
  }

  @Property
  void wellFormedStringsEncodeAsUtf8(@ForAll("anyString") String s) {
    boolean wellFormed = s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
    if (wellFormed) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      assertThat(Arrays.copyOfRange(KeyEncoding.encode(s), 5, 5 + utf8.length)).isEqualTo(utf8);
    }
  }

  @Property
  void splittingAStringDifferentlyChangesTheKey(
      @ForAll("anyString") String s,
      @ForAll("anyString") String t,
      @ForAll @IntRange(min = 0, max = 24) int cut) {
    String joined = s + t;
    int k = Math.min(cut, joined.length());
    if (k == s.length()) {
      return;
    }
    assertThat(KeyEncoding.sha256Hex(s, t))
        .isNotEqualTo(KeyEncoding.sha256Hex(joined.substring(0, k), joined.substring(k)));
  }

  @Property
  void distinctStringsHaveDistinctEncodings(
      @ForAll("anyString") String s, @ForAll("anyString") String t) {
    if (s.equals(t)) {
      return;
    }
    assertThat(KeyEncoding.encode(s)).isNotEqualTo(KeyEncoding.encode(t));
  }

  @Property
  void distinctTuplesHaveDistinctEncodings(
      @ForAll("tuple") List<Object> a, @ForAll("tuple") List<Object> b) {
    if (canonicallyEqual(a, b)) {
      assertThat(KeyEncoding.encode(a.toArray())).isEqualTo(KeyEncoding.encode(b.toArray()));
    } else {
      assertThat(KeyEncoding.encode(a.toArray())).isNotEqualTo(KeyEncoding.encode(b.toArray()));
    }
  }

  @Property
  void decimalsIgnoreScale(
      @ForAll long unscaled,
      @ForAll @IntRange(min = -5, max = 20) int scale,
      @ForAll @IntRange(min = 0, max = 10) int extra) {
    BigDecimal d = BigDecimal.valueOf(unscaled, scale);
    BigDecimal wider = d.setScale(scale + extra);
    assertThat(wider).isEqualByComparingTo(d);
    assertThat(KeyEncoding.sha256Hex(wider)).isEqualTo(KeyEncoding.sha256Hex(d));
    assertThat(KeyEncoding.text(wider)).doesNotContain("E").doesNotContain("e");
  }

  @Property(tries = 200)
  void encodingDoesNotDependOnDefaultLocaleOrZone(
      @ForAll("tuple") List<Object> tuple,
      @ForAll("zones") String zone,
      @ForAll("locales") Locale locale) {
    byte[] before = KeyEncoding.encode(tuple.toArray());
    Locale savedLocale = Locale.getDefault();
    TimeZone savedZone = TimeZone.getDefault();
    try {
      Locale.setDefault(locale);
      TimeZone.setDefault(TimeZone.getTimeZone(zone));
      assertThat(KeyEncoding.encode(tuple.toArray())).isEqualTo(before);
    } finally {
      Locale.setDefault(savedLocale);
      TimeZone.setDefault(savedZone);
    }
  }

  @Property
  void aTimestampsFractionIsItsNineDigitsWithoutTrailingZeros(
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
      @ForAll @IntRange(min = 0, max = 9) int zeros) {
    int n =
        nanos
            - nanos % (int) Math.pow(10, zeros); // trailing zeros are common: whole millis, micros
    LocalDateTime t = LocalDateTime.of(2024, 3, 15, 7, 5, 9, n);
    String nine = String.format(Locale.ROOT, "%09d", n);
    String expected =
        n == 0 ? "2024-03-15T07:05:09" : "2024-03-15T07:05:09." + nine.replaceAll("0+$", "");
    assertThat(KeyEncoding.text(t)).isEqualTo(expected);
    assertThat(KeyEncoding.text(t.toInstant(ZoneOffset.UTC))).isEqualTo(expected + "Z");
  }

  @Property
  void fingerprintIgnoresOrder(
      @ForAll @Size(max = 20) List<@Size(max = 3) List<Long>> rows, @ForAll long seed) {
    List<List<Long>> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(seed));
    assertThat(fingerprint(shuffled)).isEqualTo(fingerprint(rows));
  }

  @Property
  void fingerprintCountsDuplicates(
      @ForAll @Size(min = 1, max = 20) List<@Size(max = 3) List<Long>> rows,
      @ForAll @IntRange(min = 0, max = 19) int which) {
    List<List<Long>> withDuplicate = new ArrayList<>(rows);
    withDuplicate.add(rows.get(which % rows.size()));
    assertThat(fingerprint(withDuplicate)).isNotEqualTo(fingerprint(rows));
    // replacing a row by a copy of another keeps the count but not the fingerprint
    if (rows.size() > 1) {
      List<List<Long>> replaced = new ArrayList<>(rows);
      int i = which % rows.size();
      int j = (i + 1) % rows.size();
      if (!rows.get(i).equals(rows.get(j))) {
        replaced.set(i, rows.get(j));
        assertThat(fingerprint(replaced)).isNotEqualTo(fingerprint(rows));
      }
    }
  }

  /**
   * The text written without formatters is the one LocalDate and LocalTime give, for every year
   * LocalDateTime holds.
   */
  @Property
  void aTimestampsTextIsItsIsoDateTimeWithAllOfItsSecondsAndNoTrailingZeros(
      @ForAll("anyDateTime") LocalDateTime t) {
    String fraction =
        t.getNano() == 0
            ? ""
            : "." + String.format(Locale.ROOT, "%09d", t.getNano()).replaceAll("0+$", "");
    String expected =
        t.toLocalDate()
            + "T"
            + String.format(
                Locale.ROOT, "%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond())
            + fraction;
    assertThat(KeyEncoding.text(t)).isEqualTo(expected);
  }

  @Provide
  Arbitrary<LocalDateTime> anyDateTime() {
    Arbitrary<Integer> years =
        Arbitraries.oneOf(
            Arbitraries.integers().between(-999_999_999, 999_999_999),
            Arbitraries.integers().between(-20, 10_020),
            Arbitraries.of(0, 9999, 10_000, -1, 1, 1970));
    return Combinators.combine(
            years,
            Arbitraries.integers().between(1, 12),
            Arbitraries.integers().between(1, 28),
            Arbitraries.integers().between(0, 23),
            Arbitraries.integers().between(0, 59),
            Arbitraries.integers().between(0, 59),
            Arbitraries.integers().between(0, 999_999_999))
        .as(
            (y, mo, d, h, mi, s, n) ->
                LocalDateTime.of(y, mo, d, h, mi, s, n % 3 == 0 ? n / 1_000_000 * 1_000_000 : n));
  }

  /**
   * The sum of the records' SHA-256 modulo 2^256, as BigInteger arithmetic gives it: fingerprints
   * in existing ledgers stay valid.
   */
  @Property
  void fingerprintIsTheSumOfTheRecordsHashesModulo2To256(
      @ForAll("tuple") List<Object> a,
      @ForAll("tuple") List<Object> b,
      @ForAll @IntRange(min = 0, max = 300) int copies) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < copies; i++) {
      rows.add((i % 2 == 0 ? a : b).toArray());
    }
    Fingerprint f = new Fingerprint();
    BigInteger sum = BigInteger.ZERO;
    for (Object[] r : rows) {
      f.add(r);
      sum = sum.add(new BigInteger(1, KeyEncoding.sha256(r)));
    }
    String hex = sum.mod(BigInteger.ONE.shiftLeft(256)).toString(16);
    assertThat(f.value()).isEqualTo("rows:" + copies + ":" + "0".repeat(64 - hex.length()) + hex);
  }

  @Example
  void fingerprintCarriesAcrossEveryWord() {
    // 2,000 hashes overflow every 64-bit word many times
    Fingerprint f = new Fingerprint();
    BigInteger sum = BigInteger.ZERO;
    for (long i = 0; i < 2_000; i++) {
      Object[] row = {i, "row" + i};
      f.add(row);
      sum = sum.add(new BigInteger(1, KeyEncoding.sha256(row)));
    }
    String hex = sum.mod(BigInteger.ONE.shiftLeft(256)).toString(16);
    assertThat(f.value()).isEqualTo("rows:2000:" + "0".repeat(64 - hex.length()) + hex);
  }

  @Property
  void fingerprintValueHasAFixedShape(
      @ForAll @Size(max = 10) List<@Size(max = 3) List<Long>> rows) {
    assertThat(fingerprint(rows)).matches("rows:" + rows.size() + ":[0-9a-f]{64}");
  }

  private static String fingerprint(List<List<Long>> rows) {
    Fingerprint f = new Fingerprint();
    rows.forEach(r -> f.add(r.toArray()));
    return f.value();
  }

  @Provide
  Arbitrary<String> zones() {
    return Arbitraries.of(
        "Pacific/Chatham",
        "America/New_York",
        "Asia/Kathmandu",
        "UTC",
        "Pacific/Kiritimati",
        "America/St_Johns");
  }

  @Provide
  Arbitrary<Locale> locales() {
    return Arbitraries.of(
        new Locale("tr", "TR"),
        new Locale("ar", "SA"),
        new Locale("hi", "IN"),
        Locale.GERMANY,
        new Locale("th", "TH", "TH"),
        Locale.ROOT);
  }

  @Provide
  Arbitrary<List<Object>> tuple() {
    return value().list().ofMaxSize(4);
  }

  private Arbitrary<Object> value() {
    Arbitrary<Instant> instants =
        Arbitraries.longs()
            .between(-2_000_000_000_000L, 4_000_000_000_000L)
            .flatMap(
                ms ->
                    Arbitraries.integers()
                        .between(0, 999_999)
                        .map(n -> Instant.ofEpochMilli(ms).plusNanos(n)));
    return Arbitraries.oneOf(
        Arbitraries.just(null),
        anyString().map(s -> (Object) s),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.bigIntegers()
            .between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
            .map(b -> (Object) b),
        Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(-3, 12))
            .as((u, s) -> (Object) BigDecimal.valueOf(u, s)),
        Arbitraries.of(true, false).map(b -> (Object) b),
        instants.map(i -> (Object) LocalDate.ofInstant(i, ZoneOffset.UTC)),
        instants.map(i -> (Object) LocalDateTime.ofInstant(i, ZoneOffset.UTC)),
        instants.map(i -> (Object) i));
  }

  /**
   * Equality in the encoding's terms: numbers by value within their tag, everything else by equals.
   */
  private static boolean canonicallyEqual(List<Object> a, List<Object> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Object x = normal(a.get(i));
      Object y = normal(b.get(i));
      if (!Objects.equals(x, y)) {
        return false;
      }
    }
    return true;
  }

  private static Object normal(Object v) {
    if (v instanceof Long l) {
      return BigInteger.valueOf(l);
    }
    if (v instanceof BigDecimal d) {
      return Arrays.asList("decimal", d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros());
    }
    return v;
  }
}
