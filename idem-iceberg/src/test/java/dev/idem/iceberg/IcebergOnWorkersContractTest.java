package dev.idem.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The destination contract again with every window's new rows written by workers as an engine's
 * executors write them ({@code --engine spark}): three tasks at once, each task and its data file
 * crossing Java serialization, and a task for as few as two rows, so that every window of more than
 * one row is written as several files by tasks.
 */
class IcebergOnWorkersContractTest extends IcebergContractTest {
  private static final SerializingWorkers WORKERS = new SerializingWorkers(3);
  private static String before;

  @BeforeAll
  static void smallTasks() {
    before = RowsPerTask.set(2);
  }

  @AfterAll
  static void tasksRan() {
    RowsPerTask.restore(before);
    WORKERS.close();
    assertThat(WORKERS.tasks()).isPositive(); // 85 in the run that added this test
  }

  @Override
  protected Destination newDestination(RunServices services) {
    return super.newDestination(services.withWorkers(WORKERS));
  }

  @Override
  protected Destination reopen(Destination destination, RunServices services) {
    return super.reopen(destination, services.withWorkers(WORKERS));
  }
}
