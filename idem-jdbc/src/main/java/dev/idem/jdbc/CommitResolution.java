package dev.idem.jdbc;

import dev.idem.TransientException;
import dev.idem.destination.CommitUnknownException;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.retry.Retrier;
import dev.idem.retry.RetryPolicy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * Commits a window's transaction and, when the connection is lost during COMMIT, asks the server
 * what became of it, for operators and tests ({@link UnknownCommits}); the outcome itself is
 * resolved in one layer, the runner's, from the ledger: this class only ever throws {@link
 * CommitUnknownException} for a lost COMMIT, whatever the server answered.
 */
final class CommitResolution {
  /**
   * How the transaction's status is looked at after a lost COMMIT: 20 looks, the waits between them
   * growing to 2 s with jitter, about 15 s in all on average (31 s at most), long enough for a
   * server restart's crash recovery to answer in most cases.
   */
  static final RetryPolicy LOOKS =
      new RetryPolicy(20, Duration.ofMillis(100), Duration.ofSeconds(2));

  private final Dialect dialect;
  private final Connections connections;
  private final UnknownCommits unknownCommits;

  /** Over {@link #LOOKS}, with the run's sleeper: a test with a fake sleeper does not wait. */
  private final Retrier looks;

  CommitResolution(
      Dialect dialect, Connections connections, UnknownCommits unknownCommits, Retrier looks) {
    this.dialect = dialect;
    this.connections = connections;
    this.unknownCommits = unknownCommits;
    this.looks = looks;
  }

  /**
   * Commits window {@code window}'s transaction on {@code connection}; {@code transactionId} was
   * taken just before.
   */
  void commit(Connection connection, String window, Optional<String> transactionId) {
    try {
      connection.commit();
    } catch (SQLException e) {
      if (dialect.commitOutcomeUnknown(e)) {
        throw unknownCommit(window, transactionId, e);
      }
      throw Jdbc.translate(dialect, e, "window " + window + ": commit");
    }
  }

  /**
   * The COMMIT was sent and the connection lost: ask the server, on a new connection, what became
   * of the transaction (in progress, or not reachable: ask again), and count its answer. Whatever
   * it is, committed, aborted or none, the runner resolves the commit from the ledger, by what the
   * transaction itself wrote (the window's row done under this attempt's token): not done is a
   * transient failure and the window is tried again.
   *
   * <p>"Committed" is not taken alone: a transaction whose WAL never reached the disk before a
   * server crash leaves its id unused, and after the restart the server may give that id to another
   * transaction, whose commit would then answer for ours. "Aborted" could be acted on here, but is
   * left to the same ledger read so that a lost COMMIT is resolved in one place; the ledger cannot
   * show an aborted transaction's row.
   */
  private CommitUnknownException unknownCommit(
      String window, Optional<String> txid, SQLException lost) {
    if (txid.isEmpty()) {
      return new CommitUnknownException(
          "window "
              + window
              + ": connection lost during COMMIT: "
              + Jdbc.firstLine(lost.getMessage()),
          lost);
    }
    Optional<Boolean> committed;
    try {
      committed = looks.call(attempt -> status(txid.get(), lost), Retrier.Retried.QUIETLY);
    } catch (Retrier.GaveUp | Retrier.Interrupted e) {
      // no answer in time (or this thread was interrupted): the ledger alone says
      committed = Optional.empty();
    }
    if (committed.isEmpty()) {
      return new CommitUnknownException(
          "window "
              + window
              + ": connection lost during COMMIT: "
              + Jdbc.firstLine(lost.getMessage()),
          lost);
    }
    unknownCommits.note(committed.get());
    return new CommitUnknownException(
        "window "
            + window
            + ": connection lost during COMMIT; transaction "
            + txid.get()
            + " is reported "
            + (committed.get()
                ? "committed, which the window's ledger row must confirm"
                : "aborted"),
        lost);
  }

  /**
   * One look at the transaction's status: a {@link TransientException} (looked at again) while it
   * is in progress or not reachable.
   */
  private Optional<Boolean> status(String txid, SQLException lost) {
    try (Connection fresh = connections.open()) {
      Optional<Boolean> committed = dialect.writes().committed(fresh, txid);
      if (committed.isEmpty()) {
        throw new TransientException("transaction " + txid + " is still in progress", null);
      }
      return committed;
    } catch (SQLException e) {
      lost.addSuppressed(e);
      throw new TransientException(
          "cannot ask the status of transaction " + txid + ": " + Jdbc.firstLine(e.getMessage()),
          e);
    }
  }
}
