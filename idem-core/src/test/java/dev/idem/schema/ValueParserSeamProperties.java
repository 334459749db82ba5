package dev.idem.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The seams between ValueParser and the parts it delegates to (NumericText, TemporalText,
 * ParseErrors): the hand-written fast checks accept exactly the documented grammar, a type named by
 * {@code typeOf} parses the text it was named for, and error quoting keeps one short line.
 */
class ValueParserSeamProperties {
  /** The grammars of ValueParser's javadoc, written out independently of the code. */
  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]{1,9})?");

  @Property(tries = 3000)
  void theFastNumberChecksAcceptExactlyTheGrammar(@ForAll("numberish") String t) {
    assertThat(NumericText.isInteger(t))
        .as("integer '%s'", t)
        .isEqualTo(INTEGER.matcher(t).matches());
    assertThat(NumericText.isDecimal(t))
        .as("decimal '%s'", t)
        .isEqualTo(DECIMAL.matcher(t).matches());
  }

  @Property(tries = 3000)
  void aTypeNamedByTypeOfParsesTheTextItWasNamedFor(@ForAll("valueish") String t) {
    DataType type = ValueParser.typeOf(t);
    if (type.kind() != DataType.Kind.STRING) {
      assertThatCode(() -> ValueParser.parse(Column.of("v", type), t))
          .as("'%s' as %s", t, type)
          .doesNotThrowAnyException();
    }
  }

  @Property
  void quotedInputStaysOneShortLine(@ForAll String raw) {
    String shown = ValueParser.show(raw);
    assertThat(shown).startsWith("'").endsWith("'").doesNotContain("\n", "\r");
    assertThat(shown.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).isTrue();
    assertThat(shown.length()).isLessThanOrEqualTo(2 + 60 * 6 + 3);
    if (raw.length() <= 60 && raw.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
      assertThat(shown).isEqualTo("'" + raw + "'");
    }
  }

  @Provide
  Arbitrary<String> numberish() {
    return Arbitraries.strings().withChars("+-.0123456789eE").ofMinLength(0).ofMaxLength(14);
  }

  @Provide
  Arbitrary<String> valueish() {
    Arbitrary<String> pieces =
        Arbitraries.of(
            "0", "1", "9", "12", "-", "+", ".", "e", "E", ":", "T", " ", "Z", "2024", "-03-", "15",
            "07", "00", "true", "no", "t", "+02:00", "x");
    return Arbitraries.oneOf(
        pieces.list().ofMaxSize(8).map(l -> String.join("", l)),
        Arbitraries.strings().withChars("+-.0123456789eE ").ofMaxLength(40));
  }
}
