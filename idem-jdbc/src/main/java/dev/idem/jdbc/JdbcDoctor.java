package dev.idem.jdbc;

import dev.idem.destination.Finding;
import dev.idem.jdbc.dialect.Admin;
import dev.idem.jdbc.dialect.Dialect;
import dev.idem.pipeline.Pipeline;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code idem doctor} finds in a JDBC destination for one pipeline, read in one transaction
 * that changes nothing:
 *
 * <ul>
 *   <li>{@code ledger_outdated} / {@code ledger_newer}: the ledger's schema version is older than
 *       this idem's (the next run migrates it) or newer (upgrade idem). Reported only.
 *   <li>{@code stale_lease}: a window {@code running} whose runner is dead: its lease expired by
 *       the clock leases are judged by (the server's on PostgreSQL), or its holder is gone: on
 *       PostgreSQL it holds no presence lock (a session-level advisory lock each runner keeps for
 *       its lifetime, which the server drops with a killed process's connection), on DuckDB it is
 *       another process, which cannot be alive while this one holds the file. The fix marks it
 *       failed in one {@code UPDATE ... WHERE token = ? AND lease_expires = ? AND status =
 *       'RUNNING'}: fenced by the token and the expiry that were read, so a runner that renewed its
 *       lease since, or one that took the window over, is left alone (a zombie holding the old
 *       token can then neither renew nor commit, as after any takeover).
 *   <li>{@code failed_window}: a window whose last load failed, with its error. Reported only: the
 *       next run loads it again.
 *   <li>{@code idle_transaction} (PostgreSQL): another session idle in a transaction for longer
 *       than the lease time while holding locks on the target or on {@code _idem} tables. idem's
 *       own runners are cut by the server after half the lease ({@code
 *       idle_in_transaction_session_timeout}), so this is a stalled client or a person's open
 *       transaction. The fix ends it with {@code pg_terminate_backend(pid)} in the statement that
 *       checks it is still the same session idle since the moment that was read: a session that did
 *       anything since is left alone.
 *   <li>{@code orphan_verify_database} (PostgreSQL): a scratch database of {@code idem verify}
 *       older than {@link #VERIFY_DATABASE_AGE}, to which no session is connected (a killed
 *       verify). The fix drops it without {@code FORCE}, so the server refuses while any session
 *       uses it.
 * </ul>
 *
 * There is no orphan staging finding: every staging relation of a JDBC window (the staged rows, the
 * transform's output, the deduplicated rows) is a temporary table, which the database drops with
 * the session of a runner that dies, and {@code replace_table} rewrites the target in place instead
 * of swapping in a staging table.
 */
final class JdbcDoctor {
  /**
   * How old an unused scratch database of {@code idem verify} must be to be taken for a killed
   * verify's.
   */
  static final Duration VERIFY_DATABASE_AGE = Duration.ofMinutes(15);

  private static final String W = LedgerSchema.WINDOWS;

  private final JdbcDestination destination;
  private final Dialect dialect;
  private final Pipeline pipeline;
  private final TableName table;

  JdbcDoctor(JdbcDestination destination, Pipeline pipeline) {
    this.destination = destination;
    this.dialect = destination.dialect();
    this.pipeline = pipeline;
    this.table = TableName.parse(pipeline.target().table());
  }

  List<Finding> diagnose() {
    return destination.transaction(
        "diagnose " + pipeline.name(),
        c -> {
          List<Finding> found = new ArrayList<>();
          Instant now = destination.now(c);
          OptionalInt version = LedgerSchema.existingVersion(c);
          if (version.isPresent() && version.getAsInt() > LedgerSchema.VERSION) {
            found.add(
                Finding.report(
                    "ledger_newer",
                    "_idem",
                    "the _idem ledger has schema version "
                        + version.getAsInt()
                        + ", newer than this idem understands ("
                        + LedgerSchema.VERSION
                        + "): upgrade idem; its windows were not examined"));
            return found;
          }
          if (version.isPresent() && version.getAsInt() < LedgerSchema.VERSION) {
            found.add(
                Finding.report(
                    "ledger_outdated",
                    "_idem",
                    "the _idem ledger has schema version "
                        + version.getAsInt()
                        + ", older than this idem's ("
                        + LedgerSchema.VERSION
                        + "): the next run migrates it"));
          }
          if (version.isPresent()) {
            windows(c, now, found);
          }
          found.addAll(Outbox.findings(c, pipeline.name()));
          for (Admin.IdleSession s :
              dialect.admin().idleSessions(c, table, destination.leaseTtl())) {
            found.add(idle(s));
          }
          for (Admin.ScratchDatabase db : dialect.admin().scratchDatabases(c)) {
            if (db.sessions() == 0) {
              verifyDatabase(db, now).ifPresent(found::add);
            }
          }
          return found;
        });
  }

  /**
   * Stale leases and failed windows, in window order; reads only columns every ledger version has.
   */
  private void windows(Connection c, Instant now, List<Finding> found) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT window_id, status, owner, token, lease_expires, finished_at, error FROM "
                + W
                + " WHERE pipeline = ? AND status IN ('RUNNING', 'FAILED') ORDER BY window_id")) {
      ps.setString(1, pipeline.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String window = rs.getString(1);
          String owner = rs.getString(3);
          LocalDateTime expires = rs.getObject(5, LocalDateTime.class);
          if ("FAILED".equals(rs.getString(2))) {
            LocalDateTime finished = rs.getObject(6, LocalDateTime.class);
            found.add(
                Finding.report(
                    "failed_window",
                    window,
                    "window "
                        + window
                        + " failed"
                        + (finished == null ? "" : " at " + instant(finished))
                        + ": "
                        + withoutPrefix(oneLine(rs.getString(7)), "window " + window + ": ")
                        + "; the next run loads it again"));
            continue;
          }
          boolean expired = expires == null || !expires.toInstant(ZoneOffset.UTC).isAfter(now);
          if (!expired && destination.leaseHolderAlive(c, owner)) {
            continue; // a live runner's lease
          }
          String why =
              expired
                  ? "its lease expired "
                      + (expires == null
                          ? ""
                          : ago(Duration.between(expires.toInstant(ZoneOffset.UTC), now))
                              + " ago, at "
                              + instant(expires))
                  : dialect.singleProcess()
                      ? "it is not running, and only this process can hold the database file now"
                      : "it holds no presence lock (its process ended or lost its connection), though its lease runs until "
                          + instant(expires);
          found.add(staleLease(window, owner, rs.getLong(4), expires, why));
        }
      }
    }
  }

  private Finding staleLease(
      String window, String owner, long token, LocalDateTime expires, String why) {
    String description =
        "window "
            + window
            + " is held by runner "
            + owner
            + ", which is gone: "
            + why
            + "; the next run takes it over (--fix marks it failed now, under lease token "
            + token
            + ")";
    return Finding.fixable(
        "stale_lease",
        window,
        description,
        () ->
            destination.transaction(
                "release the stale lease of window " + window,
                c -> {
                  String error =
                      "its runner "
                          + owner
                          + " stopped without finishing"
                          + (expires == null
                              ? ""
                              : " (its lease ran until " + instant(expires) + ")")
                          + "; released by idem doctor";
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "UPDATE "
                              + W
                              + " SET status = 'FAILED', error = ?, finished_at = ?, lease_expires = NULL"
                              + " WHERE pipeline = ? AND window_id = ? AND token = ? AND status = 'RUNNING' AND "
                              + (expires == null
                                  ? "lease_expires IS NULL"
                                  : "lease_expires = ?"))) {
                    ps.setString(1, error);
                    ps.setObject(2, JdbcLedger.utc(destination.now(c)));
                    ps.setString(3, pipeline.name());
                    ps.setString(4, window);
                    ps.setLong(5, token);
                    if (expires != null) {
                      ps.setObject(6, expires);
                    }
                    return ps.executeUpdate() == 1
                        ? "window "
                            + window
                            + ": marked failed, lease token "
                            + token
                            + " of "
                            + owner
                            + " released; the next run loads it"
                        : "window "
                            + window
                            + ": left alone: its lease was renewed or taken over since it was found";
                  }
                }));
  }

  private Finding idle(Admin.IdleSession s) {
    String who =
        "pid "
            + s.pid()
            + " (user "
            + s.user()
            + (s.application() == null || s.application().isEmpty()
                ? ""
                : ", application " + s.application())
            + (s.client() == null ? "" : ", client " + s.client())
            + ")";
    String description =
        who
            + " has been idle in a transaction for "
            + ago(s.idle())
            + ", longer than the lease time "
            + ago(destination.leaseTtl())
            + ", holding locks on "
            + s.locks()
            + "; --fix ends it: pg_terminate_backend("
            + s.pid()
            + ")";
    return Finding.fixable(
        "idle_transaction",
        "pid " + s.pid(),
        description,
        () -> {
          try (Connection c = destination.connection()) {
            return dialect.admin().terminate(c, s)
                ? "pid "
                    + s.pid()
                    + ": terminated (pg_terminate_backend), its transaction rolled back"
                : "pid "
                    + s.pid()
                    + ": left alone: it is no longer idle in the transaction that was found";
          } catch (SQLException e) {
            throw Jdbc.translate(dialect, e, "end the session of pid " + s.pid());
          }
        });
  }

  private Optional<Finding> verifyDatabase(Admin.ScratchDatabase db, Instant now) {
    String name = db.name();
    if (db.created().isEmpty()) {
      // named by an older idem, without its creation time: it may be a running verify's
      return Optional.of(
          Finding.report(
              "orphan_verify_database",
              name,
              "scratch database "
                  + name
                  + " of idem verify has no session;"
                  + " its age is unknown (an older idem named it): once no idem verify runs on this server, DROP DATABASE "
                  + SqlName.quote(name)));
    }
    Duration age = Duration.between(db.created().get(), now);
    if (age.compareTo(VERIFY_DATABASE_AGE) < 0) {
      return Optional.empty();
    }
    String description =
        "scratch database "
            + name
            + " of idem verify, created "
            + ago(age)
            + " ago, has no session: a killed verify left it;"
            + " --fix drops it";
    return Optional.of(
        Finding.fixable(
            "orphan_verify_database",
            name,
            description,
            () -> {
              try (Connection c = destination.connection()) {
                return dialect.admin().dropScratch(c, name)
                    ? "database " + name + ": dropped"
                    : "database "
                        + name
                        + ": left alone: a session connected to it since it was found";
              } catch (SQLException e) {
                throw Jdbc.translate(dialect, e, "drop the scratch database " + name);
              }
            }));
  }

  private static String oneLine(String s) {
    return s == null ? "(no error recorded)" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  private static String withoutPrefix(String s, String prefix) {
    return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
  }

  private static Instant instant(LocalDateTime utc) {
    return utc.toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
  }

  /** {@code 2h5m}, {@code 14m3s}, {@code 42s}. */
  static String ago(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s >= 3600) {
      return s / 3600 + "h" + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return s / 60 + "m" + s % 60 + "s";
    }
    return s + "s";
  }
}
