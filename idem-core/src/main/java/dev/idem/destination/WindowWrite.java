package dev.idem.destination;

import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.NulledValue;
import dev.idem.ledger.WindowCounts;
import dev.idem.schema.Column;
import java.util.Optional;

/**
 * One window's write, an operation configured then committed (prepare and commit are separate, as
 * in Flink's two-phase sinks). Nothing is visible to readers before {@link #commit()}; closing
 * without commit abandons everything, including the staging area.
 */
public interface WindowWrite extends AutoCloseable {
  /** Stages one row (values in {@code Pipeline.stagedColumns()} order) through the bulk path. */
  void add(Object[] row);

  /**
   * Stages one row read at {@code position} in the input ({@code data/orders.csv:17}). A
   * destination that finds rows it refuses only after staging them (a CHECK constraint of an
   * existing target table) keeps the position with the row, for the dead letter it becomes.
   */
  default void add(Object[] row, String position) {
    add(row);
  }

  /**
   * Adds a column the input gained ({@code schema_drift: evolve}) to the staged rows: rows added
   * after this carry one more value, after those of the columns added before. Returns the column as
   * staged: the target's own type when the target already has a column of that name. The target
   * gets the column in this window's transaction, when it is prepared.
   */
  default Column addColumn(Column column) {
    throw new UnsupportedOperationException(
        "this destination does not add columns (schema_drift evolve)");
  }

  /**
   * Keeps a record that could not be loaded in the destination's dead letters, in this window's
   * transaction: it is committed with the window's rows, or rolled back with them.
   */
  void deadLetter(DeadLetter letter);

  /**
   * Keeps a value set to NULL in a staged row ({@code on_bad_value: null}), in this window's
   * transaction, replacing the nulled values of the window's earlier loads when it commits; counted
   * in the window's {@link WindowCounts#valuesNulled()}. Only a destination that {@link
   * SupportsNulledValues} is given any.
   */
  default void nulledValue(NulledValue value) {
    throw new UnsupportedOperationException("this destination does not keep nulled values");
  }

  /**
   * The rule by which this write folds the window's staged rows by key, when a reader may apply it
   * to parts of the window first ({@link dev.idem.source.FoldsEarly}); empty (the default) when it
   * may not. A write that gives one counts {@link Completion#foldedEarly()} among the window's
   * folded rows.
   */
  default Optional<RowFold> rowFold() {
    return Optional.empty();
  }

  /**
   * Whether this write takes the window's rows staged and kept where a reader read them ({@link
   * dev.idem.source.ScattersRows}, an engine's tasks), to plan them where they are ({@link
   * #addScattered}) instead of through {@link #add}: only a write with a {@link #rowFold} whose
   * workers run elsewhere. The default: no.
   */
  default boolean takesScattered() {
    return false;
  }

  /**
   * Takes the window's rows kept where they were read ({@link #takesScattered}), once they all
   * were, instead of any row through {@link #add}; the write closes them when it is closed.
   */
  default void addScattered(dev.idem.context.Workers.Scattered rows) {
    throw new UnsupportedOperationException("this write does not take scattered rows");
  }

  /**
   * Applies transform, in-window dedup and the strategy to the staged rows, checks the fencing
   * token and writes the ledger row as done, all inside the open transaction; does not commit.
   */
  WindowCounts prepare(Completion completion);

  /**
   * Commits data and ledger row in one transaction. Throws {@link CommitUnknownException} when the
   * outcome cannot be known (connection lost during COMMIT); the caller then reads the ledger.
   */
  void commit();

  /** Releases resources; rolls back if not committed. */
  @Override
  void close();
}
