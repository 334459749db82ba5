package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.run.RunListener;
import dev.idem.run.RunOptions;
import dev.idem.run.RunReport;
import dev.idem.run.Runner;
import dev.idem.run.WindowOutcome;
import dev.idem.window.Window;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window commit whose outcome the catalog leaves unknown ({@code CommitStateUnknownException}),
 * on the embedded SQLite JDBC catalog: resolved by the attempt's fencing token in the committed
 * ledger entry (ADR 0008, point 5), never guessed. Whether the commit landed or not, the window is
 * reported once, a re-run changes nothing, and the table equals a clean run's.
 */
class IcebergUnknownCommitTest {
  @TempDir Path dir;

  /**
   * Operations whose first commit that adds a snapshot (a window's data, not a claim, which only
   * sets the ledger pointer) ends in {@code CommitStateUnknownException}, after the catalog took it
   * ({@code lands}: the reply was lost) or before.
   */
  static final class UnknownOutcome extends ForwardingOperations {
    private final boolean lands;
    private final AtomicInteger faults;

    UnknownOutcome(TableOperations ops, boolean lands, AtomicInteger faults) {
      super(ops);
      this.lands = lands;
      this.faults = faults;
    }

    @Override
    public void commit(TableMetadata base, TableMetadata metadata) {
      boolean addsData =
          metadata.currentSnapshot() != null
              && (base == null
                  || base.currentSnapshot() == null
                  || base.currentSnapshot().snapshotId()
                      != metadata.currentSnapshot().snapshotId());
      if (!addsData || faults.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
        super.commit(base, metadata);
        return;
      }
      if (lands) {
        super.commit(base, metadata);
      }
      throw new CommitStateUnknownException(new RuntimeException("connection reset (injected)"));
    }
  }

  IcebergDestination open(String warehouse) {
    return new IcebergDestination(
        IcebergSettings.local(dir.resolve(warehouse), "idem"),
        RunServices.defaults().withOwner("r").withSleeper(d -> {}));
  }

  static RunReport run(IcebergDestination d, Pipeline p, String runId, List<String> resolved)
      throws Exception {
    RunListener listener =
        new RunListener() {
          @Override
          public void commitResolved(Window window, boolean committed) {
            resolved.add(window.id() + (committed ? " committed" : " not committed"));
          }
        };
    return new Runner(d, RunServices.defaults().withSleeper(s -> {}), listener)
        .run(p, p.source().windows(p.windows()), RunOptions.defaults(runId));
  }

  /** The rows of a clean run of {@code p} in a warehouse of its own. */
  List<String> cleanRun(Pipeline p) throws Exception {
    try (IcebergDestination d = open("clean")) {
      assertThat(run(d, p, "clean", new ArrayList<>()).ok()).isTrue();
      return d.tableRows("fenced");
    }
  }

  /** Runs {@code p} with the first window commit's outcome unknown; returns the resolutions. */
  private List<String> runWithUnknownCommit(Pipeline p, boolean lands) throws Exception {
    List<String> resolved = new ArrayList<>();
    AtomicInteger faults = new AtomicInteger(1);
    try (IcebergDestination d = open("warehouse")) {
      d.wrapOperations(ops -> new UnknownOutcome(ops, lands, faults));
      RunReport first = run(d, p, "r1", resolved);
      assertThat(faults).as("the fault was injected").hasValue(0);
      assertThat(first.ok()).as(first.toString()).isTrue();
      // every window reported exactly once, and loaded
      assertThat(first.outcomes())
          .extracting(o -> o.window().id() + " " + o.result())
          .containsExactlyInAnyOrder("2024-03-01 LOADED", "2024-03-02 LOADED");
      RunReport again = run(d, p, "r2", resolved);
      assertThat(again.outcomes())
          .hasSize(2)
          .allSatisfy(o -> assertThat(o.result()).isEqualTo(WindowOutcome.Result.UNCHANGED));
      assertThat(d.ledger().states("fence"))
          .allSatisfy(s -> assertThat(s.counts().targetRows()).isEqualTo(2));
      assertThat(d.tableRows("fenced")).hasSize(4).isEqualTo(cleanRun(p));
    }
    return resolved;
  }

  /**
   * Operations whose files cannot be deleted when they are ledger files (an object store's
   * transient error on the delete that follows each ledger change): the change has landed.
   */
  static final class LedgerFilesStay extends ForwardingOperations {
    final AtomicInteger refused = new AtomicInteger();

    LedgerFilesStay(TableOperations ops) {
      super(ops);
    }

    @Override
    public FileIO io() {
      FileIO io = super.io();
      return new FileIO() {
        @Override
        public InputFile newInputFile(String path) {
          return io.newInputFile(path);
        }

        @Override
        public OutputFile newOutputFile(String path) {
          return io.newOutputFile(path);
        }

        @Override
        public void deleteFile(String path) {
          if (path.contains("/ledger-")) {
            refused.incrementAndGet();
            throw new RuntimeIOException("503 Slow Down (injected): %s", path);
          }
          io.deleteFile(path);
        }
      };
    }
  }

  /**
   * A ledger change (a claim, a window's commit) whose replaced ledger file cannot be deleted has
   * landed all the same: the window is loaded once, its data files stay (they were deleted as if
   * the commit had failed, the ledger saying DONE over a table naming missing files).
   */
  @Test
  void aReplacedLedgerFileThatCannotBeDeletedLeavesTheCommitWhole() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE, 4, 2);
    try (IcebergDestination d = open("warehouse")) {
      LedgerFilesStay[] ops = new LedgerFilesStay[1];
      d.wrapOperations(o -> ops[0] = new LedgerFilesStay(o));
      RunReport first = run(d, p, "r1", new ArrayList<>());
      assertThat(ops[0].refused).as("the fault was injected").hasPositiveValue();
      assertThat(first.ok()).as(first.toString()).isTrue();
      assertThat(first.outcomes())
          .extracting(o -> o.window().id() + " " + o.result())
          .containsExactlyInAnyOrder("2024-03-01 LOADED", "2024-03-02 LOADED");
      // the table's files are there (a read of a missing file fails) and hold a clean run's rows
      assertThat(d.tableRows("fenced")).hasSize(4).isEqualTo(cleanRun(p));
      RunReport again = run(d, p, "r2", new ArrayList<>());
      assertThat(again.outcomes())
          .allSatisfy(o -> assertThat(o.result()).isEqualTo(WindowOutcome.Result.UNCHANGED));
    }
  }

  @Test
  void aCommitThatLandedButWhoseReplyWasLostIsLoadedOnce() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE, 4, 2);
    assertThat(runWithUnknownCommit(p, true)).containsExactly("2024-03-01 committed");
  }

  @Test
  void aCommitThatDidNotLandIsRetriedAndLoadedOnce() throws Exception {
    Pipeline p = IcebergFenceTest.pipeline(WriteStrategy.MERGE, 4, 2);
    assertThat(runWithUnknownCommit(p, false)).containsExactly("2024-03-01 not committed");
  }
}
