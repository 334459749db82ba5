package dev.idem.http;

import dev.idem.jdbc.JdbcDestination;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sent ledger's writes made durable together (group commit): a caller's statement joins the
 * next transaction. With {@link #write} the caller returns only once that transaction committed, so
 * "recorded as sent before it leaves" holds for every request while {@code concurrency} requests
 * share one commit. With {@link #later} the caller returns at once with a ticket: the statement
 * rides along with the next transaction anyone starts, and {@link #await} waits until every ticket
 * given is durable (starting a transaction for them if none runs). One transaction runs at a time;
 * the caller that finds none running writes every statement waiting. A statement that updates no
 * row (its fence failed) fails alone, by its caller's check; a failed transaction fails every
 * statement in it, none of which took effect. Within a transaction each distinct SQL text is
 * prepared once and reused by every statement of that text.
 */
final class GroupCommit {
  /** One statement; returns the rows it changed. */
  @FunctionalInterface
  interface Write {
    int apply(Statements s) throws SQLException;
  }

  /** The prepared statements of one transaction, one per SQL text. */
  static final class Statements {
    private final Connection c;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    private Statements(Connection c) {
      this.c = c;
    }

    /** The statement of {@code sql}, its parameters cleared. */
    PreparedStatement prepare(String sql) throws SQLException {
      PreparedStatement ps = prepared.get(sql);
      if (ps == null) {
        ps = c.prepareStatement(sql);
        prepared.put(sql, ps);
      } else {
        ps.clearParameters();
      }
      return ps;
    }

    private void close() throws SQLException {
      SQLException first = null;
      for (PreparedStatement ps : prepared.values()) {
        try {
          ps.close();
        } catch (SQLException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }

  /** A statement queued by {@link #later}: its rows once {@link #await} returned. */
  static final class Ticket {
    private final String what;
    private final Write write;
    private boolean done;
    private int rows;
    private RuntimeException error;

    private Ticket(String what, Write write) {
      this.what = what;
      this.write = write;
    }

    String what() {
      return what;
    }

    /** The rows the statement changed; throws the transaction's failure. */
    int rows() {
      if (error != null) {
        throw error;
      }
      return rows;
    }
  }

  private final JdbcDestination store;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  private List<Ticket> waiting = new ArrayList<>();
  private boolean writing;

  GroupCommit(JdbcDestination store) {
    this.store = store;
  }

  /** Runs {@code write} in a committed transaction, maybe with others'; the rows it changed. */
  int write(String what, Write write) {
    Ticket mine = later(what, write);
    await(List.of(mine));
    return mine.rows();
  }

  /** Queues {@code write} for the next transaction and returns at once. */
  Ticket later(String what, Write write) {
    Ticket t = new Ticket(what, write);
    lock.lock();
    try {
      waiting.add(t);
    } finally {
      lock.unlock();
    }
    return t;
  }

  /**
   * Returns once every ticket's transaction finished (committed or failed; see {@link
   * Ticket#rows}), writing the waiting statements itself when no transaction runs.
   */
  void await(List<Ticket> tickets) {
    for (Ticket t : tickets) {
      List<Ticket> batch;
      lock.lock();
      try {
        while (writing && !t.done) {
          finished.awaitUninterruptibly();
        }
        if (t.done) {
          continue;
        }
        writing = true;
        batch = waiting;
        waiting = new ArrayList<>();
      } finally {
        lock.unlock();
      }
      commit(batch);
    }
  }

  private void commit(List<Ticket> batch) {
    RuntimeException failure = null;
    try {
      String what = batch.get(0).what();
      store.inTransaction(
          batch.size() == 1 ? what : what + " and " + (batch.size() - 1) + " more ledger writes",
          c -> {
            Statements s = new Statements(c);
            try {
              for (Ticket p : batch) {
                p.rows = p.write.apply(s);
              }
            } finally {
              s.close();
            }
            return null;
          });
    } catch (RuntimeException e) {
      failure = e;
    }
    lock.lock();
    try {
      for (Ticket p : batch) {
        p.done = true;
        p.error = failure;
      }
      writing = false;
      finished.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
