package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.ObservedSchema;
import dev.idem.schema.Schema;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * CSV files whose header is any permutation of some of the declared columns plus undeclared ones,
 * read observing the schema under each policy, give the documented outcome: the added and removed
 * columns are exactly the header's, every value comes back under its column's name whatever the
 * order (null where the header lacks the column), added values are kept (evolve) or counted
 * (discard), the fingerprint does not depend on the order, and the policy fails the window exactly
 * when the documentation says.
 */
class SchemaDriftProperties {
  private static Path dir;
  private static int files;

  @BeforeContainer
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("idem-drift");
  }

  @AfterContainer
  static void deleteDirectory() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A declared column: its name, whether it is declared not null, and whether the file has it. */
  record Declared(String name, boolean notNull, boolean inFile) {}

  /**
   * A generated case: declared columns, undeclared header columns, the header's order, rows of
   * small integers (or empty).
   */
  record Case(
      List<Declared> declared,
      List<String> undeclared,
      List<Integer> order,
      List<List<Integer>> rows,
      DriftPolicy policy) {
    Schema schema() {
      return new Schema(
          declared.stream()
              .map(d -> new Column(d.name(), DataType.INTEGER, !d.notNull()))
              .toList());
    }

    /**
     * The header: the file's declared columns, then the undeclared ones, permuted by {@code order}.
     */
    List<String> header() {
      List<String> natural =
          new ArrayList<>(declared.stream().filter(Declared::inFile).map(Declared::name).toList());
      natural.addAll(undeclared);
      List<String> h = new ArrayList<>();
      for (int i : order) {
        if (i < natural.size()) {
          h.add(natural.get(i));
        }
      }
      for (String n : natural) {
        if (!h.contains(n)) {
          h.add(n);
        }
      }
      return h;
    }

    /**
     * The value of header column {@code name} in row {@code r}: a distinct integer per (row,
     * column), or null (an empty field).
     */
    Integer value(int r, String name) {
      int c = header().indexOf(name);
      Integer v = rows.get(r).get(c % rows.get(r).size());
      return v == null ? null : v * 100 + c;
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<List<Declared>> declared =
        Combinators.combine(Arbitraries.of(false, false, true), Arbitraries.of(true, true, false))
            .as((notNull, in) -> new boolean[] {notNull, in})
            .list()
            .ofMinSize(1)
            .ofMaxSize(5)
            .map(
                flags -> {
                  List<Declared> d = new ArrayList<>();
                  for (int i = 0; i < flags.size(); i++) {
                    d.add(new Declared("c" + i, flags.get(i)[0], flags.get(i)[1]));
                  }
                  return d;
                });
    Arbitrary<List<String>> undeclared =
        Arbitraries.integers()
            .between(0, 3)
            .map(
                n -> {
                  List<String> u = new ArrayList<>();
                  for (int i = 0; i < n; i++) {
                    u.add("x" + i);
                  }
                  return u;
                });
    Arbitrary<List<Integer>> order =
        Arbitraries.integers().between(0, 8).list().ofMaxSize(8).uniqueElements();
    Arbitrary<List<List<Integer>>> rows =
        Arbitraries.integers()
            .between(1, 99)
            .injectNull(0.2)
            .list()
            .ofMinSize(1)
            .ofMaxSize(8)
            .list()
            .ofMinSize(1)
            .ofMaxSize(4);
    return Combinators.combine(declared, undeclared, order, rows, Arbitraries.of(DriftPolicy.class))
        .as(Case::new)
        .filter(c -> !c.header().isEmpty());
  }

  @Property(tries = 300)
  void headersGiveTheDocumentedOutcome(@ForAll("cases") Case c) throws IOException {
    List<String> header = c.header();
    Schema schema = c.schema();
    ObservedSchema observed = ObservedSchema.of(schema, c.policy());
    List<SourceRecord> records = read(c, header, schema, observed);

    List<String> removed =
        c.declared().stream().filter(d -> !d.inFile()).map(Declared::name).toList();
    List<String> added = header.stream().filter(n -> schema.indexOf(n) < 0).toList();
    assertThat(observed.diff().added()).isEqualTo(added);
    assertThat(observed.diff().removed()).isEqualTo(removed);
    assertThat(observed.diff().retyped()).isEmpty();

    long dropped = 0;
    assertThat(records).hasSize(c.rows().size());
    for (int r = 0; r < records.size(); r++) {
      SourceRecord rec = records.get(r);
      boolean nullInNotNull = false;
      for (Declared d : c.declared()) {
        nullInNotNull |= d.notNull() && (!d.inFile() || c.value(r, d.name()) == null);
      }
      assertThat(rec.isBad())
          .as("a null in a not-null column is the record's only problem")
          .isEqualTo(nullInNotNull);
      if (rec.isBad()) {
        continue;
      }
      for (int i = 0; i < schema.size(); i++) {
        Declared d = c.declared().get(i);
        Integer v = d.inFile() ? c.value(r, d.name()) : null;
        assertThat(rec.values()[i])
            .as(d.name())
            .isEqualTo(v == null ? null : (Object) v.longValue());
      }
      for (int k = 0; k < added.size(); k++) {
        Integer v = c.value(r, added.get(k));
        if (c.policy() == DriftPolicy.EVOLVE) {
          assertThat(rec.values()[schema.size() + k])
              .as(added.get(k))
              .isEqualTo(v == null ? null : v.toString());
        } else if (v != null) {
          dropped++;
        }
      }
      assertThat(rec.values())
          .hasSize(schema.size() + (c.policy() == DriftPolicy.EVOLVE ? added.size() : 0));
    }
    assertThat(observed.droppedValues()).isEqualTo(dropped);

    // the order of the header changes nothing the ledger records
    List<String> sorted = new ArrayList<>(header);
    sorted.sort(null);
    ObservedSchema canonical = ObservedSchema.of(schema, c.policy());
    read(c, sorted, schema, canonical);
    assertThat(canonical.fingerprint()).isEqualTo(observed.fingerprint());
    assertThat(canonical.diff().added()).containsExactlyInAnyOrderElementsOf(added);
    assertThat(canonical.diff().removed()).isEqualTo(removed);

    String violation = c.policy().violation(observed.diff(), observed);
    boolean fails =
        switch (c.policy()) {
          case FREEZE -> !added.isEmpty() || !removed.isEmpty();
          case DISCARD -> !removed.isEmpty();
          case EVOLVE -> c.declared().stream().anyMatch(d -> !d.inFile() && d.notNull());
        };
    assertThat(violation != null).as(String.valueOf(violation)).isEqualTo(fails);
  }

  private static List<SourceRecord> read(
      Case c, List<String> header, Schema schema, ObservedSchema observed) throws IOException {
    StringBuilder text = new StringBuilder(String.join(",", header)).append('\n');
    for (int r = 0; r < c.rows().size(); r++) {
      List<String> fields = new ArrayList<>();
      for (String name : header) {
        Integer v = c.value(r, name);
        fields.add(v == null ? "" : v.toString());
      }
      text.append(String.join(",", fields)).append('\n');
    }
    String name = "f" + files++ + ".csv";
    Files.writeString(dir.resolve(name), text.toString(), StandardCharsets.UTF_8);
    List<SourceRecord> all = new ArrayList<>();
    try (RecordReader reader =
        new CsvSource(new FileSet(dir, name), schema, CsvFormat.DEFAULT)
            .read(WindowSpec.full(), Window.full(), observed)) {
      for (SourceRecord rec = reader.next(); rec != null; rec = reader.next()) {
        all.add(rec);
      }
    }
    return all;
  }
}
