package dev.idem.jdbc.dialect.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idem.destination.RowRefusedException;
import dev.idem.jdbc.TableName;
import dev.idem.jdbc.dialect.DirectLoad;
import dev.idem.testkit.postgres.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The direct COPY of a window into its target, on a real PostgreSQL: new keys are copied with the
 * window's lineage inside the open transaction; a key the target holds, or rows of the window it
 * holds already, leave the target as it was and the transaction usable (the caller then stages the
 * rows); rows are folded in memory only where ADR 0003's order is decidable there.
 */
class DirectCopyTest {
  private static final List<String> COLUMNS = List.of("k", "ver", "v");
  private static final TableName T = new TableName(null, "t");
  private Connection c;

  @BeforeEach
  void table() throws SQLException {
    c = DriverManager.getConnection(EmbeddedPostgresServer.newDatabase());
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE t (k bigint PRIMARY KEY, ver bigint, v text,"
              + " _idem_window text, _idem_window_order text COLLATE \"C\")");
      s.execute("CREATE TABLE marks (m text)");
      s.execute("INSERT INTO t VALUES (9, 1, 'old', '2024-02-01', '2024-02-01')");
    }
    c.setAutoCommit(false);
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
  }

  private static DirectCopy direct(String window, long heldChars) {
    return new DirectCopy(
        new DirectLoad.Plan(T, COLUMNS, List.of("k"), List.of("ver"), window, window), heldChars);
  }

  private static Object[] row(long k, Long ver, String v) {
    return new Object[] {k, ver, v};
  }

  private List<String> rows() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT k, ver, v, _idem_window, _idem_window_order FROM t ORDER BY k")) {
      while (rs.next()) {
        rows.add(
            rs.getLong(1)
                + "|"
                + rs.getObject(2)
                + "|"
                + rs.getString(3)
                + "|"
                + rs.getString(4)
                + "|"
                + rs.getString(5));
      }
    }
    return rows;
  }

  private void mark(String m) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO marks VALUES ('" + m + "')");
    }
  }

  private long marks() throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM marks")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void newKeysAreCopiedOncePerKeyTheGreatestVersionWithTheWindowsLineage() throws SQLException {
    DirectCopy d = direct("2024-03-01", DirectCopy.HELD_CHARS);
    assertThat(d.add(row(1, 1L, "first"))).isTrue();
    assertThat(d.add(row(1, 3L, "latest"))).isTrue();
    assertThat(d.add(row(1, null, "null is the least version"))).isTrue();
    assertThat(d.add(row(2, 1L, "same"))).isTrue();
    assertThat(d.add(row(2, 1L, "same"))).as("an identical row folds").isTrue();
    assertThat(d.arrived()).hasSize(5);
    assertThat(d.keys()).isEqualTo(2);

    assertThat(d.load(c)).isEqualTo(OptionalLong.of(2));
    c.commit();
    assertThat(rows())
        .containsExactly(
            "1|3|latest|2024-03-01|2024-03-01",
            "2|1|same|2024-03-01|2024-03-01",
            "9|1|old|2024-02-01|2024-02-01");
  }

  @Test
  void aKeyTheTargetHoldsRollsBackToTheSavepointAndKeepsTheTransaction() throws SQLException {
    mark("before"); // the window's transaction did work before the copy (its ledger, its lock)
    DirectCopy d = direct("2024-03-01", DirectCopy.HELD_CHARS);
    for (long k = 1; k <= 1000; k++) {
      d.add(row(k, 1L, "new"));
    }
    d.add(row(9, 2L, "a key the target holds, last of 1001"));

    assertThat(d.load(c)).isEmpty();
    mark("after"); // the transaction is usable
    c.commit();
    assertThat(rows()).containsExactly("9|1|old|2024-02-01|2024-02-01");
    assertThat(marks()).isEqualTo(2);
  }

  @Test
  void aWindowTheTargetHoldsIsNotCopied() throws SQLException {
    DirectCopy d = direct("2024-02-01", DirectCopy.HELD_CHARS);
    d.add(row(5, 1L, "a key new to the target, in a window loaded before"));
    assertThat(d.load(c)).isEmpty();
    c.commit();
    assertThat(rows()).containsExactly("9|1|old|2024-02-01|2024-02-01");
  }

  @Test
  void duplicatesWhoseOrderIsTheDatabasesAreNotHeld() {
    DirectCopy d = direct("2024-03-01", DirectCopy.HELD_CHARS);
    assertThat(d.add(row(1, 2L, "b"))).isTrue();
    assertThat(d.add(row(1, 2L, "a")))
        .as("a tie on the version is broken by text, in the database's collation")
        .isFalse();
    assertThat(d.add(new Object[] {null, 1L, "x"}))
        .as("a NULL key is refused by the staged path")
        .isFalse();
    assertThat(d.arrived()).hasSize(1);
  }

  @Test
  void versionsWithinOneMicrosecondAreNotHeldAsPostgresKeepsNoMore() {
    DirectCopy d = direct("2024-03-01", DirectCopy.HELD_CHARS);
    assertThat(d.add(new Object[] {1L, LocalDateTime.parse("2024-03-01T10:00:00.0000004"), "a"}))
        .isTrue();
    assertThat(d.add(new Object[] {1L, LocalDateTime.parse("2024-03-01T10:00:00.0000001"), "z"}))
        .as("one microsecond once stored: a tie the database breaks by v, not 400 ns")
        .isFalse();
    DirectCopy micros = direct("2024-03-01", DirectCopy.HELD_CHARS);
    assertThat(
            micros.add(new Object[] {1L, LocalDateTime.parse("2024-03-01T10:00:00.000002"), "a"}))
        .isTrue();
    assertThat(
            micros.add(new Object[] {1L, LocalDateTime.parse("2024-03-01T10:00:00.000001"), "z"}))
        .as("whole microseconds are ordered here as there")
        .isTrue();
    assertThat(micros.arrived()).hasSize(2);
  }

  @Test
  void aTargetWithRowLevelSecurityWhichRefusesCopyKeepsTheTransactionForTheStagedPath()
      throws SQLException {
    String writer = "rls_writer_" + Long.toHexString(System.nanoTime());
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE t ENABLE ROW LEVEL SECURITY");
      s.execute("CREATE POLICY everyone ON t USING (true) WITH CHECK (true)");
      // a role the policy applies to (the embedded server's user is a superuser, which bypasses it)
      s.execute("CREATE ROLE " + writer);
      s.execute("GRANT ALL ON t, marks TO " + writer);
      s.execute("SET ROLE " + writer);
    }
    mark("before");
    DirectCopy d = direct("2024-03-01", DirectCopy.HELD_CHARS);
    d.add(row(1, 1L, "new"));
    assertThat(d.load(c)).isEmpty();
    mark("after");
    c.commit();
    assertThat(rows()).containsExactly("9|1|old|2024-02-01|2024-02-01");
    assertThat(marks()).isEqualTo(2);
  }

  @Test
  void aTargetThatWritesFewerRowsThanCopiedLeavesThemToTheStagedPathWhichCountsThem()
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE FUNCTION skip_two() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN IF NEW.k = 2 THEN RETURN NULL; END IF; RETURN NEW; END $$");
      s.execute(
          "CREATE TRIGGER skip_two BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION skip_two()");
    }
    DirectCopy d = direct("2024-03-01", DirectCopy.HELD_CHARS);
    d.add(row(1, 1L, "one"));
    d.add(row(2, 1L, "two, skipped by the trigger"));
    assertThat(d.load(c)).as("2 copied, 1 written: not counted as 2").isEmpty();
    c.commit();
    assertThat(rows()).containsExactly("9|1|old|2024-02-01|2024-02-01");
  }

  @Test
  void rowsPastTheBoundAreNotHeld() {
    DirectCopy d = direct("2024-03-01", 100);
    assertThat(d.add(row(1, 1L, "x".repeat(40)))).isTrue();
    assertThat(d.add(row(2, 1L, "x".repeat(40)))).isFalse();
    assertThat(d.arrived()).hasSize(1);
  }

  @Test
  void aValueCopyCannotCarryIsRefusedAsTheStagedPathRefusesIt() {
    DirectCopy d = direct("2024-03-01", DirectCopy.HELD_CHARS);
    assertThatThrownBy(() -> d.add(row(1, 1L, "nul\0here")))
        .isInstanceOf(RowRefusedException.class)
        .hasMessageContaining("NUL");
    assertThat(d.arrived()).isEmpty();
  }
}
