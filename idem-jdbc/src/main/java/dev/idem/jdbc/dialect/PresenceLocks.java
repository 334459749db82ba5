package dev.idem.jdbc.dialect;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Locks a session holds for as long as it lives, which the server drops when the session ends
 * (PostgreSQL's session-level advisory locks): how runners of other processes tell that a runner is
 * alive. One lock per runner, keyed by its owner string; a connection of the runner's process, in
 * autocommit and used for nothing else, holds them.
 */
public interface PresenceLocks {
  /** Takes runner {@code owner}'s lock on {@code holder}; false when another session holds it. */
  boolean hold(Connection holder, String owner) throws SQLException;

  /** Gives runner {@code owner}'s lock back on {@code holder}. */
  void release(Connection holder, String owner) throws SQLException;

  /**
   * Whether some session holds runner {@code owner}'s lock. Takes no lock: many may ask at once
   * without disturbing the owner.
   */
  boolean held(Connection connection, String owner) throws SQLException;
}
