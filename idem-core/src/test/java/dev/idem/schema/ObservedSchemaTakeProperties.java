package dev.idem.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.DataException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * An engine's tasks each observe the one file they read, and the driver's observation takes what
 * each saw ({@link ObservedSchema#seen}, {@link ObservedSchema#take}), in the order the files are
 * read: the window's observation is the one a reader of every file in that order makes (the drift,
 * the drift so far, the fingerprint, where the first drift was, the dropped values), also after the
 * seen observations travel through Java serialization as Spark sends them.
 */
class ObservedSchemaTakeProperties {
  private static final Schema DECLARED =
      Schema.of(
          Column.of("id", DataType.INTEGER),
          Column.of("name", DataType.STRING),
          Column.of("at", DataType.TIMESTAMP));

  private static final List<String> ADDED = List.of("x", "y", "z");

  /** One call a reader makes into an observation, at a line of its file. */
  interface Event extends Consumer<ObservedSchema> {}

  @Provide
  Arbitrary<List<List<Event>>> files() {
    Arbitrary<Integer> column = Arbitraries.integers().between(0, DECLARED.size() - 1);
    Arbitrary<Integer> line = Arbitraries.integers().between(1, 9);
    Arbitrary<String> file = Arbitraries.of("a", "b");
    Arbitrary<String> at = Combinators.combine(file, line).as((f, l) -> f + ".csv:" + l);
    Arbitrary<DataType> type = Arbitraries.of(DataType.INTEGER, DataType.STRING, DataType.BOOLEAN);
    Arbitrary<Event> present = column.map(i -> o -> o.present(i));
    Arbitrary<Event> missing = Combinators.combine(column, at).as((i, p) -> o -> o.missing(i, p));
    // a record's keys in order, each added and typed (unless null) as a JSON line's reader does;
    // a key that cannot be kept ends the record there (the record is a dead letter)
    Arbitrary<Event> added =
        Combinators.combine(
                Arbitraries.of(ADDED).list().uniqueElements().ofMinSize(1).ofMaxSize(3),
                at,
                type.injectNull(0.4).list().ofSize(3))
            .as(
                (names, p, types) ->
                    o -> {
                      for (int i = 0; i < names.size(); i++) {
                        int k = o.add(names.get(i), p);
                        if (types.get(i) != null) {
                          o.type(k, types.get(i));
                        }
                      }
                    });
    Arbitrary<Event> retyped =
        Combinators.combine(Arbitraries.of("id", "name"), type, at)
            .as((c, t, p) -> o -> o.retyped(c, t, p));
    Arbitrary<Event> dropped = Arbitraries.longs().between(0, 5).map(n -> o -> o.dropped(n));
    Arbitrary<Event> event = Arbitraries.oneOf(present, missing, added, retyped, dropped);
    return event
        .list()
        .ofMaxSize(8)
        .map(
            events -> {
              List<Event> withUnit = new ArrayList<>();
              withUnit.add(ObservedSchema::unit);
              withUnit.addAll(events);
              return withUnit;
            })
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  @Property(tries = 300)
  void takingWhatEachFilesReaderSawEqualsReadingThemAllInOrder(
      @ForAll("files") List<List<Event>> files, @ForAll boolean absentIsNull)
      throws IOException, ClassNotFoundException {
    // the policy under which an engine takes what its tasks saw of files that drifted
    DriftPolicy policy = DriftPolicy.DISCARD;
    ObservedSchema whole = ObservedSchema.of(DECLARED, policy);
    ObservedSchema taken = ObservedSchema.of(DECLARED, policy);
    for (List<Event> events : files) {
      ObservedSchema one = ObservedSchema.of(DECLARED, policy);
      if (absentIsNull) {
        whole.absentIsNull();
        one.absentIsNull();
      }
      for (Event e : events) {
        e.accept(whole);
        e.accept(one);
      }
      taken.take(serialized(one.seen()));
    }
    assertThat(taken.diff()).isEqualTo(whole.diff());
    assertThat(taken.diffSoFar()).isEqualTo(whole.diffSoFar());
    assertThat(taken.fingerprint()).isEqualTo(whole.fingerprint());
    assertThat(taken.firstAt()).isEqualTo(whole.firstAt());
    assertThat(taken.droppedValues()).isEqualTo(whole.droppedValues());
    assertThat(taken.absentMeansNull()).isEqualTo(whole.absentMeansNull());
    assertThat(taken.added()).isEqualTo(whole.added());
  }

  /**
   * Under evolve, each file read by a task of its own, loading its added columns as the input types
   * them: the driver resolves each file's columns ({@link ObservedSchema#resolveAdded}, in the
   * order the task added and typed them) and takes what the task saw when it loaded each column
   * alike, else reads the file again itself, its reader's refusals dead-lettering records there.
   * The target already holds some columns as other types and refuses others. The window's
   * observation is the one a reader of every file in order makes (the columns resolved, in the same
   * order; the drift; the fingerprint; where the first drift was), and each column a task loaded
   * has its place in the window ({@link ObservedSchema#addedIndexes}).
   */
  @Property(tries = 1000)
  void underEvolveResolvingWhatEachFilesTaskAddedEqualsReadingThemAllInOrder(
      @ForAll("files") List<List<Event>> files,
      @ForAll boolean absentIsNull,
      @ForAll("tableTypes") Map<String, DataType> table,
      @ForAll("refused") Set<String> refused)
      throws IOException, ClassNotFoundException {
    List<Column> wholeResolved = new ArrayList<>();
    List<Column> takenResolved = new ArrayList<>();
    ObservedSchema whole =
        new ObservedSchema(DECLARED, DriftPolicy.EVOLVE, resolver(table, refused, wholeResolved));
    ObservedSchema taken =
        new ObservedSchema(DECLARED, DriftPolicy.EVOLVE, resolver(table, refused, takenResolved));
    for (List<Event> events : files) {
      ObservedSchema one = ObservedSchema.of(DECLARED, DriftPolicy.EVOLVE);
      if (absentIsNull) {
        whole.absentIsNull();
        one.absentIsNull();
      }
      for (Event e : events) {
        read(e, whole);
        e.accept(one);
      }
      ObservedSchema.Seen seen = serialized(one.seen());
      boolean alike = taken.resolveAdded(seen);
      Statistics.label("files").collect(alike ? "taken from the task" : "read again");
      Statistics.label("files")
          .coverage(
              c -> {
                c.check("taken from the task").count(n -> n > 0);
                c.check("read again").count(n -> n > 0);
              });
      if (alike) {
        taken.take(seen);
        int[] at = taken.addedIndexes(seen);
        List<String> names = taken.seen().added();
        for (int k = 0; k < at.length; k++) {
          assertThat(names.get(at[k])).isEqualTo(seen.added().get(k));
          if (one.column(k) != null) {
            assertThat(taken.column(at[k])).isEqualTo(one.column(k));
          }
        }
      } else {
        if (absentIsNull) {
          taken.absentIsNull();
        }
        events.forEach(e -> read(e, taken)); // read again on the driver
      }
    }
    assertThat(takenResolved).isEqualTo(wholeResolved);
    assertThat(taken.diff()).isEqualTo(whole.diff());
    assertThat(taken.fingerprint()).isEqualTo(whole.fingerprint());
    assertThat(taken.firstAt()).isEqualTo(whole.firstAt());
    assertThat(taken.added()).isEqualTo(whole.added());
    assertThat(taken.droppedValues()).isEqualTo(whole.droppedValues());
    for (int k = 0; k < whole.added(); k++) {
      assertThat(taken.column(k)).isEqualTo(whole.column(k));
    }
  }

  /** An event as a reader meets it: a column it cannot keep fails (dead-letters) that record. */
  private static void read(Event e, ObservedSchema o) {
    try {
      e.accept(o);
    } catch (DataException refused) {
      // the record is a dead letter; the reader goes on
    }
  }

  /** The added columns the target refuses. */
  @Provide
  Arbitrary<Set<String>> refused() {
    return Arbitraries.of(ADDED).set().ofMaxSize(1);
  }

  /** The types the target already has some added columns as. */
  @Provide
  Arbitrary<Map<String, DataType>> tableTypes() {
    return Arbitraries.maps(
            Arbitraries.of(ADDED),
            Arbitraries.of(DataType.INTEGER, DataType.STRING, DataType.BOOLEAN))
        .ofMaxSize(2);
  }

  /**
   * A destination's answer: a refusal for a column it refuses, the table's type for a column it
   * has, else the input's; each answer recorded in order.
   */
  private static ObservedSchema.Resolver resolver(
      Map<String, DataType> table, Set<String> refused, List<Column> resolved) {
    return (index, proposed) -> {
      if (refused.contains(proposed.name())) {
        throw new DataException("input column '" + proposed.name() + "' is refused");
      }
      Column c =
          new Column(proposed.name(), table.getOrDefault(proposed.name(), proposed.type()), true);
      resolved.add(c);
      return c;
    };
  }

  private static ObservedSchema.Seen serialized(ObservedSchema.Seen seen)
      throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(seen);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (ObservedSchema.Seen) in.readObject();
    }
  }
}
