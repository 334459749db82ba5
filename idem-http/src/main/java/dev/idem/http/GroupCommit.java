package dev.idem.http;

import dev.idem.jdbc.JdbcDestination;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sent ledger's writes made durable together (group commit): a caller's statement joins the
 * next transaction, and the caller returns only once that transaction committed, so "recorded as
 * sent before it leaves" holds for every request while {@code concurrency} requests share one
 * commit. One transaction runs at a time; the caller that finds none running writes every statement
 * waiting. A statement that updates no row (its fence failed) fails alone, by its caller's check; a
 * failed transaction fails every statement in it, none of which took effect.
 */
final class GroupCommit {
  /** One statement; returns the rows it changed. */
  @FunctionalInterface
  interface Write {
    int apply(Connection c) throws SQLException;
  }

  private static final class Pending {
    final Write write;
    boolean done;
    int rows;
    RuntimeException error;

    Pending(Write write) {
      this.write = write;
    }

    int result() {
      if (error != null) {
        throw error;
      }
      return rows;
    }
  }

  private final JdbcDestination store;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  private List<Pending> waiting = new ArrayList<>();
  private boolean writing;

  GroupCommit(JdbcDestination store) {
    this.store = store;
  }

  /** Runs {@code write} in a committed transaction, maybe with others'; the rows it changed. */
  int write(String what, Write write) {
    Pending mine = new Pending(write);
    List<Pending> batch;
    lock.lock();
    try {
      waiting.add(mine);
      while (writing && !mine.done) {
        finished.awaitUninterruptibly();
      }
      if (mine.done) {
        return mine.result();
      }
      writing = true;
      batch = waiting;
      waiting = new ArrayList<>();
    } finally {
      lock.unlock();
    }
    RuntimeException failure = null;
    try {
      store.inTransaction(
          batch.size() == 1 ? what : what + " and " + (batch.size() - 1) + " more ledger writes",
          c -> {
            for (Pending p : batch) {
              p.rows = p.write.apply(c);
            }
            return null;
          });
    } catch (RuntimeException e) {
      failure = e;
    }
    lock.lock();
    try {
      for (Pending p : batch) {
        p.done = true;
        p.error = failure;
      }
      writing = false;
      finished.signalAll();
    } finally {
      lock.unlock();
    }
    return mine.result();
  }
}
