package dev.idem.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.idem.fault.FaultInjector;
import dev.idem.fault.FaultPoint;
import dev.idem.jdbc.TwoRunners.Hold;
import dev.idem.jdbc.VersionModel.Version;
import dev.idem.jdbc.VersionModel.WindowInput;
import dev.idem.pipeline.Pipeline;
import dev.idem.run.RunReport;
import dev.idem.run.WindowOutcome;
import dev.idem.window.Window;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A delete of a key the target does not hold and an older insert of that key, loaded by two runners
 * at the same moment, must not bring the key back.
 *
 * <p>The overlap is made by fault points, not by timing: both runners stage their window and wait;
 * the first applies its window and waits before its COMMIT; the second then applies until it either
 * reaches its own COMMIT or waits on a lock the first holds (a lock in this process, or one the
 * database reports); only then does the first commit, then the second. Both transactions are open
 * together, whichever way the engine keeps them apart.
 */
public abstract class DeleteRaceSuite {
  /** Day 1 deletes key 1 at order 5 (key 1 was never loaded); it also upserts key 3. */
  private static final WindowInput DELETES =
      new WindowInput(
          0, List.of(new Version(1, 5L, true, null), new Version(3, 1L, false, "kept")));

  /** Day 2 upserts key 1 at order 3, older than the delete; it also upserts key 2. */
  private static final WindowInput INSERTS =
      new WindowInput(
          1, List.of(new Version(1, 3L, false, "older"), new Version(2, 1L, false, "kept")));

  private static final AtomicInteger TABLES = new AtomicInteger();

  /** Which window's runner applies first and holds its transaction open. */
  protected enum First {
    DELETE,
    INSERT
  }

  /** A destination on a new, empty database. */
  protected abstract JdbcDestination open();

  /** Whether a session of the database waits for a lock (a runner waiting on the other's). */
  protected boolean sessionWaitsOnALock(JdbcDestination destination) {
    return false;
  }

  @ParameterizedTest
  @EnumSource(First.class)
  void aDeleteAndAnOlderInsertCommittedTogetherLeaveTheKeyAbsent(First first) {
    String name = "race_" + TABLES.incrementAndGet();
    Pipeline p = VersionModel.pipeline(name, List.of(DELETES, INSERTS));
    Window delete = p.windows().window(DELETES.id());
    Window insert = p.windows().window(INSERTS.id());
    try (JdbcDestination d = open();
        TwoRunners runners = new TwoRunners(d)) {
      d.prepare(p);
      Hold staged1 = new Hold(FaultPoint.AFTER_STAGING);
      Hold staged2 = new Hold(FaultPoint.AFTER_STAGING);
      Hold applied1 = new Hold(FaultPoint.BEFORE_COMMIT);
      Hold applied2 = new Hold(FaultPoint.BEFORE_COMMIT);
      Hold committed1 = new Hold(FaultPoint.AFTER_COMMIT);
      committed1.release(); // only says when runner 1's COMMIT returned
      Future<RunReport> one =
          runners.start(
              1,
              p,
              first == First.DELETE ? delete : insert,
              TwoRunners.options("one", false),
              TwoRunners.both(staged1, TwoRunners.both(applied1, committed1)));
      Future<RunReport> two =
          runners.start(
              2,
              p,
              first == First.DELETE ? insert : delete,
              TwoRunners.options("two", false),
              TwoRunners.both(staged2, applied2));
      TwoRunners.await(staged1.reached, "runner 1 to stage");
      TwoRunners.await(staged2.reached, "runner 2 to stage");
      staged1.release();
      TwoRunners.await(applied1.reached, "runner 1 to apply its window");
      staged2.release();
      await("runner 2 to apply its window or wait on runner 1's lock")
          .atMost(TwoRunners.GUARD)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () ->
                  applied2.isReached()
                      || parkedOnALock(staged2.thread())
                      || sessionWaitsOnALock(d));
      applied1.release();
      // runner 2 may take the lock runner 1 left and hold it before its COMMIT: runner 1 may need
      // it again after its COMMIT, so runner 2 is let go once runner 1's COMMIT returned
      TwoRunners.await(committed1.reached, "runner 1 to commit");
      applied2.release();
      RunReport r1 = TwoRunners.join(one);
      RunReport r2 = TwoRunners.join(two);
      assertThat(List.of(r1, r2))
          .flatExtracting(RunReport::outcomes)
          .extracting(WindowOutcome::result)
          .as("%s %s", r1.outcomes(), r2.outcomes())
          .containsOnly(WindowOutcome.Result.LOADED);
      List<String> expected =
          List.of(
              VersionModel.render(2, 1L, "kept", INSERTS.id()),
              VersionModel.render(3, 1L, "kept", DELETES.id()));
      assertThat(d.tableRows(VersionModel.projection(name)))
          .as("key 1 was deleted at order 5; the insert at order 3 is older")
          .isEqualTo(expected);

      // and a later forced re-run of the insert's window does not bring it back either
      RunReport again =
          TwoRunners.join(
              runners.start(1, p, insert, TwoRunners.options("again", true), FaultInjector.NONE));
      assertThat(again.ok()).as("%s", again.outcomes()).isTrue();
      assertThat(d.tableRows(VersionModel.projection(name))).isEqualTo(expected);
    }
  }

  /** The thread is parked on a lock of this process (DuckDB's writers are serialized so). */
  private static boolean parkedOnALock(Thread thread) {
    Object blocker = LockSupport.getBlocker(thread);
    return blocker != null
        && blocker.getClass().getName().startsWith(ReentrantLock.class.getName());
  }
}
