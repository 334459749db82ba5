package dev.idem.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

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
    Arbitrary<Event> added =
        Combinators.combine(Arbitraries.of(ADDED), at, type.injectNull(0.4))
            .as(
                (name, p, t) ->
                    o -> {
                      int k = o.add(name, p);
                      if (t != null) {
                        o.type(k, t);
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
