package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.Workers;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code --engine recording} (this module's tests only): runs the pipeline as the JVM runner does,
 * gives the destination {@link #WORKERS}, takes {@link #startMillis} to start, and records when it
 * started and stopped in {@link #EVENTS}.
 */
public final class RecordingEngine implements Engine {
  static final List<String> EVENTS = new CopyOnWriteArrayList<>();
  static final Workers WORKERS =
      new Workers() {
        @Override
        public int parallelism() {
          return 1;
        }

        @Override
        public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
          return IN_PROCESS.run(description, inputs, task);
        }
      };
  static volatile long startMillis;

  @Override
  public String name() {
    return "recording";
  }

  @Override
  public Run start(PipelineDefinition definition, List<String> sets, String master) {
    try {
      Thread.sleep(startMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    EVENTS.add("engine started");
    return new Run() {
      @Override
      public PipelineDefinition definition() {
        return definition;
      }

      @Override
      public Workers workers() {
        return WORKERS;
      }

      @Override
      public void close() {
        EVENTS.add("engine stopped");
      }
    };
  }
}
