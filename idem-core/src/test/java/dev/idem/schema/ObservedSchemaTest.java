package dev.idem.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.ConfigException;
import dev.idem.DataException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObservedSchemaTest {
  private static final Schema DECLARED =
      Schema.of(
          new Column("id", DataType.INTEGER, false),
          Column.of("name", DataType.STRING),
          Column.of("amount", DataType.decimal(12, 2)));

  private static ObservedSchema header(DriftPolicy policy, String... names) {
    ObservedSchema o = ObservedSchema.of(DECLARED, policy);
    o.unit();
    List<String> header = List.of(names);
    for (int i = 0; i < DECLARED.size(); i++) {
      if (header.contains(DECLARED.column(i).name())) {
        o.present(i);
      } else {
        o.missing(i, "f.csv:1");
      }
    }
    for (String n : names) {
      if (DECLARED.indexOf(n) < 0) {
        o.type(o.add(n, "f.csv:1"), DataType.STRING);
      }
    }
    return o;
  }

  @Test
  void theDiffNamesAddedRemovedAndRetypedColumnsOnOneLine() {
    ObservedSchema o = header(DriftPolicy.FREEZE, "name", "id", "discount", "coupon");
    o.retyped("id", DataType.decimal(2, 1), "f.csv:3");
    o.retyped("id", DataType.STRING, "f.csv:4"); // the first value decides
    SchemaDiff diff = o.diff();
    assertThat(diff.added()).containsExactly("discount", "coupon");
    assertThat(diff.removed()).containsExactly("amount");
    assertThat(diff.describe())
        .isEqualTo(
            "added: discount, coupon; removed: amount; retyped: id from integer to decimal(2,1)");
    assertThat(o.firstAt()).isEqualTo("f.csv:1");
    assertThat(header(DriftPolicy.FREEZE, "id", "name", "amount").diff().isEmpty()).isTrue();
  }

  @Test
  void longListsAndControlCharactersStayOnOneShortLine() {
    List<String> names = new ArrayList<>(List.of("id", "name", "amount"));
    for (int i = 0; i < 25; i++) {
      names.add("x" + i);
    }
    names.add("evil\nname");
    String line = header(DriftPolicy.DISCARD, names.toArray(String[]::new)).diff().describe();
    assertThat(line).startsWith("added: x0, x1, x2").endsWith("(and 16 more)").doesNotContain("\n");
    assertThat(SchemaDiff.names(List.of("evil\nname"))).isEqualTo("evil\\u000aname");
  }

  @Test
  void theFingerprintIgnoresColumnOrderAndFollowsEveryChange() {
    String base = header(DriftPolicy.DISCARD, "id", "name", "amount").fingerprint();
    assertThat(header(DriftPolicy.DISCARD, "amount", "id", "name").fingerprint())
        .isEqualTo(base)
        .hasSize(64);
    assertThat(header(DriftPolicy.EVOLVE, "name", "amount", "id").fingerprint())
        .isEqualTo(base); // the policy is not observed
    String added = header(DriftPolicy.DISCARD, "id", "name", "amount", "x").fingerprint();
    String removed = header(DriftPolicy.DISCARD, "id", "name").fingerprint();
    ObservedSchema r = header(DriftPolicy.DISCARD, "id", "name", "amount");
    r.retyped("amount", DataType.STRING, "f.csv:2");
    assertThat(List.of(base, added, removed, r.fingerprint())).doesNotHaveDuplicates();
  }

  @Test
  void aKeyAbsentFromEveryRecordIsRemovedOnlyOnceTheWindowIsRead() {
    ObservedSchema o = ObservedSchema.of(DECLARED, DriftPolicy.FREEZE);
    o.absentIsNull();
    assertThat(o.diff().isEmpty()).as("no record, nothing removed").isTrue();
    o.unit();
    o.present(0);
    o.unit();
    o.present(2);
    assertThat(o.diffSoFar().removed()).isEmpty();
    assertThat(o.diff().removed()).containsExactly("name");
  }

  @Test
  void eachPolicyJudgesTheDriftAsDocumented() {
    ObservedSchema added = header(DriftPolicy.DISCARD, "id", "name", "amount", "x");
    ObservedSchema removedNullable = header(DriftPolicy.DISCARD, "id", "name");
    ObservedSchema removedNotNull = header(DriftPolicy.DISCARD, "name", "amount");
    ObservedSchema jsonRemoved = ObservedSchema.of(DECLARED, DriftPolicy.DISCARD);
    jsonRemoved.absentIsNull();
    jsonRemoved.unit();
    jsonRemoved.present(0);
    jsonRemoved.present(1);
    assertThat(DriftPolicy.FREEZE.violation(added.diff(), added))
        .isEqualTo("added: x (schema_drift: freeze fails a window on any drift)");
    assertThat(DriftPolicy.FREEZE.violation(SchemaDiff.NONE, added)).isNull();
    assertThat(DriftPolicy.DISCARD.violation(added.diff(), added)).isNull();
    assertThat(DriftPolicy.DISCARD.violation(removedNullable.diff(), removedNullable))
        .startsWith("removed: amount (schema_drift: discard");
    assertThat(jsonRemoved.diff().removed()).containsExactly("amount");
    assertThat(DriftPolicy.DISCARD.violation(jsonRemoved.diff(), jsonRemoved))
        .as("JSON lines: an absent key is null")
        .isNull();
    assertThat(DriftPolicy.FREEZE.violation(jsonRemoved.diff(), jsonRemoved))
        .startsWith("removed: amount (schema_drift: freeze");
    assertThat(DriftPolicy.EVOLVE.violation(added.diff(), added)).isNull();
    assertThat(DriftPolicy.EVOLVE.violation(removedNullable.diff(), removedNullable)).isNull();
    assertThat(DriftPolicy.EVOLVE.violation(removedNotNull.diff(), removedNotNull))
        .isEqualTo(
            "removed: id (schema_drift: evolve loads a removed column as NULL, but id is declared not null)");
  }

  @Test
  void evolveResolvesAnAddedColumnOnceAndRefusesANameNoColumnCanHave() {
    List<Column> resolved = new ArrayList<>();
    ObservedSchema o =
        new ObservedSchema(
            DECLARED,
            DriftPolicy.EVOLVE,
            (index, proposed) -> {
              resolved.add(proposed);
              return new Column(
                  proposed.name(), DataType.decimal(10, 2), true); // the target's own type
            });
    int k = o.add("discount", "f.csv:1");
    assertThat(o.add("discount", "g.csv:1")).isEqualTo(k);
    assertThat(o.column(k)).isNull();
    assertThat(o.type(k, DataType.STRING))
        .isEqualTo(new Column("discount", DataType.decimal(10, 2), true));
    assertThat(o.type(k, DataType.INTEGER).type()).isEqualTo(DataType.decimal(10, 2));
    assertThat(resolved).containsExactly(Column.of("discount", DataType.STRING));
    assertThatThrownBy(() -> o.type(o.add("", "f.csv:1"), DataType.STRING))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "input column '' cannot be added to the target: a column needs a non-empty name");
    ObservedSchema discard = ObservedSchema.of(DECLARED, DriftPolicy.DISCARD);
    assertThat(discard.type(discard.add("x", "f"), DataType.STRING)).isNull();
  }

  @Test
  void aColumnTheResolverRefusesStaysUntypedSoEveryValueOfItIsRefused() {
    List<String> asked = new ArrayList<>();
    ObservedSchema o =
        new ObservedSchema(
            DECLARED,
            DriftPolicy.EVOLVE,
            (index, proposed) -> {
              asked.add(proposed.name());
              if (proposed.name().startsWith("_idem_")) {
                throw new DataException("input column '" + proposed.name() + "' is reserved");
              }
              return proposed;
            });
    int k = o.add("_idem_x", "a.jsonl:1");
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> o.type(k, DataType.STRING))
          .isInstanceOf(DataException.class)
          .hasMessage("input column '_idem_x' is reserved");
      assertThat(o.column(k)).isNull();
    }
    assertThat(o.type(o.add("note", "a.jsonl:2"), DataType.STRING))
        .isEqualTo(Column.of("note", DataType.STRING));
    assertThat(asked).containsExactly("_idem_x", "_idem_x", "note");
    assertThat(o.seen().typedOrder()).containsExactly(1);
  }

  @Test
  void policiesParseFromTheirLabels() {
    assertThat(DriftPolicy.parse(" Evolve ")).isEqualTo(DriftPolicy.EVOLVE);
    assertThat(DriftPolicy.DEFAULT).isEqualTo(DriftPolicy.DISCARD);
    assertThatThrownBy(() -> DriftPolicy.parse("strict"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown policy 'strict': expected evolve, freeze or discard");
  }

  @Test
  void aValueIsNamedByTheNarrowestTypeThatHoldsIt() {
    assertThat(ValueParser.typeOf("42")).isEqualTo(DataType.INTEGER);
    assertThat(ValueParser.typeOf(" 2.50 ")).isEqualTo(DataType.decimal(2, 1));
    assertThat(ValueParser.typeOf("99999999999999999999")).isEqualTo(DataType.decimal(20, 0));
    assertThat(ValueParser.typeOf("1e3")).isEqualTo(DataType.decimal(4, 0));
    assertThat(ValueParser.typeOf("yes")).isEqualTo(DataType.BOOLEAN);
    assertThat(ValueParser.typeOf("2024-03-15")).isEqualTo(DataType.DATE);
    assertThat(ValueParser.typeOf("2024-03-15 07:00:00")).isEqualTo(DataType.TIMESTAMP);
    assertThat(ValueParser.typeOf("2024-03-15T07:00:00Z")).isEqualTo(DataType.TIMESTAMPTZ);
    assertThat(ValueParser.typeOf("two")).isEqualTo(DataType.STRING);
    assertThat(ValueParser.typeOf("9".repeat(10_000_000)))
        .as("long digits are not parsed")
        .isEqualTo(DataType.STRING);
    assertThat(ValueParser.typeOf((Object) 7L)).isEqualTo(DataType.INTEGER);
    assertThat(ValueParser.typeOf((Object) new BigDecimal("0.125")))
        .isEqualTo(DataType.decimal(3, 3));
    assertThat(ValueParser.typeOf((Object) true)).isEqualTo(DataType.BOOLEAN);
  }
}
