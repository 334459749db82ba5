package dev.idem.run;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The pipeline, run and window a runner thread works on, in SLF4J's MDC for as long as it does: log
 * lines carry them (a JSON log line as fields {@code pipeline}, {@code run}, {@code window}).
 * Closing puts back what the thread had before, so a window's context ends with the window and a
 * run's with the run.
 */
final class LogContext implements AutoCloseable {
  static final String PIPELINE = "pipeline";
  static final String RUN = "run";
  static final String WINDOW = "window";

  private final Map<String, String> before = new HashMap<>();

  private LogContext(String pipeline, String runId, String windowId) {
    set(PIPELINE, pipeline);
    set(RUN, runId);
    set(WINDOW, windowId);
  }

  /** The run's context: its pipeline and run id, no window. */
  static LogContext run(String pipeline, String runId) {
    return new LogContext(pipeline, runId, null);
  }

  /** A window's context: the run's, and the window id. */
  static LogContext window(String pipeline, String runId, String windowId) {
    return new LogContext(pipeline, runId, windowId);
  }

  private void set(String key, String value) {
    before.put(key, MDC.get(key));
    put(key, value);
  }

  private static void put(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }

  @Override
  public void close() {
    before.forEach(LogContext::put);
  }
}
