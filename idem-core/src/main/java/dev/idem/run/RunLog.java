package dev.idem.run;

import dev.idem.TransientException;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.window.Window;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's decisions, as a person debugging a run needs them: at info, which windows were
 * planned, each claim (owner, fencing token, lease), each skip and why, each retry and why, each
 * commit (counts, duration), each window fenced, held or failed; at debug, each window planned and
 * why a window is loaded rather than skipped. One logger ({@code dev.idem.run.Runner}) for all; the
 * pipeline, run and window are in the MDC ({@link LogContext}).
 */
final class RunLog {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

  private RunLog() {}

  static void planned(Pipeline pipeline, List<Window> windows, RunOptions options) {
    if (windows.isEmpty()) {
      LOG.info("no window planned for pipeline {}", pipeline.name());
      return;
    }
    List<Window> sorted = windows.stream().sorted().toList();
    LOG.info(
        "{} window(s) planned for pipeline {}: {} .. {}{}{}",
        windows.size(),
        pipeline.name(),
        sorted.get(0).id(),
        sorted.get(sorted.size() - 1).id(),
        options.force() ? ", forced" : "",
        options.parallel() > 1 ? ", " + options.parallel() + " at a time" : "");
    if (LOG.isDebugEnabled()) {
      sorted.forEach(w -> LOG.debug("window {}: planned ({} .. {})", w.id(), w.start(), w.end()));
    }
  }

  static void skippedUnchanged(Window window, WindowState done) {
    LOG.info(
        "window {}: skipped, unchanged since run {}: same input fingerprint {} and definition,"
            + " the target still holds its {} row(s)",
        window.id(),
        done.runId(),
        done.fingerprint(),
        done.counts().targetRows());
  }

  static void skippedDoneMeanwhile(Window window, WindowState done) {
    LOG.info(
        "window {}: skipped, done meanwhile by {} (run {}) with the same input",
        window.id(),
        done.owner(),
        done.runId());
  }

  static void toLoad(Window window, String why) {
    LOG.debug("window {}: to load: {}", window.id(), why);
  }

  static void held(Window window, WindowState holder) {
    LOG.info(
        "window {}: skipped for now, held by {} (lease token {} until {}); looked at again before"
            + " the run ends",
        window.id(),
        holder.owner(),
        holder.token(),
        holder.leaseExpires());
  }

  static void claimed(Lease lease) {
    WindowState previous = lease.previous();
    if (previous != null && previous.status() == WindowStatus.RUNNING) {
      LOG.info(
          "window {}: lease taken over from {} (token {}, expired {})",
          lease.windowId(),
          previous.owner(),
          previous.token(),
          previous.leaseExpires());
    }
    LOG.info(
        "window {}: claimed by {}, fencing token {}, lease until {}",
        lease.windowId(),
        lease.owner(),
        lease.token(),
        lease.expires());
  }

  static void retrying(Window window, int attempt, Duration wait, TransientException e) {
    LOG.warn(
        "window {}: transient failure (attempt {}, {}), retrying in {} ms: {}",
        window.id(),
        attempt,
        e.getClass().getSimpleName(),
        wait.toMillis(),
        e.getMessage());
  }

  static void committed(Window window, WindowCounts c, Duration took) {
    LOG.info(
        "window {}: committed in {} ms: read {}, inserted {}, updated {}, unchanged {}, skipped {},"
            + " deleted {}, dead letters {}, target rows {}",
        window.id(),
        took.toMillis(),
        c.read(),
        c.inserted(),
        c.updated(),
        c.unchanged(),
        c.skipped(),
        c.deleted(),
        c.deadLettered(),
        c.targetRows());
  }

  static void fenced(Window window, String message) {
    LOG.info("window {}: fenced, this runner's lease was taken over: {}", window.id(), message);
  }

  static void failed(Window window, int attempts, String message) {
    LOG.info("window {}: failed after {} attempt(s): {}", window.id(), attempts, message);
  }

  static void doneElsewhere(Window window, WindowState now) {
    LOG.info(
        "window {}: done by another runner ({}, run {}) while held",
        window.id(),
        now.owner(),
        now.runId());
  }
}
