package dev.idem.jdbc;

import dev.idem.TransientException;
import dev.idem.destination.CommitUnknownException;
import dev.idem.jdbc.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Commits a window's transaction and, when the connection is lost during COMMIT, says what became
 * of it: aborted (a transient failure, retried), or {@link CommitUnknownException}, which the
 * runner resolves from the ledger by what the transaction itself wrote.
 */
final class CommitResolution {
  private final Dialect dialect;
  private final Connections connections;
  private final UnknownCommits unknownCommits;

  CommitResolution(Dialect dialect, Connections connections, UnknownCommits unknownCommits) {
    this.dialect = dialect;
    this.connections = connections;
    this.unknownCommits = unknownCommits;
  }

  /** Commits window {@code window}'s transaction on {@code connection}; {@code transactionId} was taken just before. */
  void commit(Connection connection, String window, Optional<String> transactionId) {
    try {
      connection.commit();
    } catch (SQLException e) {
      if (dialect.commitOutcomeUnknown(e)) {
        resolveUnknownCommit(window, transactionId, e);
        return;
      }
      throw Jdbc.translate(dialect, e, "window " + window + ": commit");
    }
  }

  /**
   * The COMMIT was sent and the connection lost: ask the server, on a new connection, what became
   * of the transaction. In progress: ask again. Aborted: a transient failure, retried. Committed,
   * or not known (no transaction id, server unreachable): the caller resolves it from the ledger,
   * by what the transaction itself wrote (the window's row done under this attempt's token).
   *
   * <p>"Committed" is not taken alone: a transaction whose WAL never reached the disk before a
   * server crash leaves its id unused, and after the restart the server may give that id to another
   * transaction, whose commit would then answer for ours. "Aborted" and "in progress" are safe to
   * act on: a transaction that committed is durably committed under its id.
   */
  private void resolveUnknownCommit(String window, Optional<String> txid, SQLException lost) {
    if (txid.isPresent()) {
      for (int attempt = 0; attempt < 20; attempt++) {
        try (Connection fresh = connections.open()) {
          Optional<Boolean> committed = dialect.writes().committed(fresh, txid.get());
          if (committed.isPresent()) {
            unknownCommits.note(committed.get());
            if (committed.get()) {
              throw new CommitUnknownException("window " + window + ": connection lost during COMMIT; transaction " + txid.get()
                  + " is reported committed, which the window's ledger row must confirm", lost);
            }
            throw new TransientException("window " + window + ": transaction " + txid.get() + " did not commit when the connection was lost", lost);
          }
        } catch (SQLException e) {
          lost.addSuppressed(e);
        }
        try {
          Thread.sleep(100L * (attempt + 1));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new CommitUnknownException("window " + window + ": connection lost during COMMIT: " + Jdbc.firstLine(lost.getMessage()), lost);
  }
}
