package dev.idem.run;

import dev.idem.pipeline.Pipeline;
import dev.idem.schema.DriftPolicy;
import dev.idem.source.SourceRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A window's records as the row loop takes them: {@link #next} then {@link #check} for each, the
 * same calls on a {@link SchemaWatch} in the same order. Where the source allows it ({@link
 * dev.idem.source.Source#readsOnAnyThread}) and the schema cannot grow columns while it is read
 * (any drift policy but {@code evolve}, which stages added columns through the write), the records
 * are read, parsed and typed on a thread of their own, a bounded number of batches ahead, so that a
 * second core parses while the loop stages. What the loop sees is unchanged: the same records in
 * the same order, and a failure of the read (an exception from {@code next}, or a drift judged by
 * {@code check} after a record) thrown at the same record as when read on the loop's thread.
 * Closing stops the reading thread before the source's reader is closed.
 */
abstract class WindowRecords implements AutoCloseable {
  /** Records per hand-over, and hand-overs queued ahead of the loop: about 16k records. */
  private static final int BATCH = 1024;

  private static final int BATCHES = 16;

  /** System property that turns reading ahead off ({@code -Didem.read.ahead=false}). */
  static final String PROPERTY = "idem.read.ahead";

  /** The next record, or null at the end. */
  abstract SourceRecord next() throws IOException;

  /** Judges the schema the input showed up to the record {@link #next} returned last. */
  abstract void check();

  @Override
  public void close() {}

  /** The records of {@code schema}, read ahead on another thread when that is allowed. */
  static WindowRecords of(Pipeline pipeline, SchemaWatch schema, String window) {
    boolean ahead =
        pipeline.source().readsOnAnyThread()
            && pipeline.schemaDrift() != DriftPolicy.EVOLVE
            && Runtime.getRuntime().availableProcessors() > 1
            && !"false".equals(System.getProperty(PROPERTY));
    return ahead ? ahead(schema, "idem-read-" + window) : inLine(schema);
  }

  /** Read on a thread of its own named {@code name}. */
  static WindowRecords ahead(SchemaWatch schema, String name) {
    return new Ahead(schema, name);
  }

  /** Read on the caller's thread. */
  static WindowRecords inLine(SchemaWatch schema) {
    return new InLine(schema);
  }

  /** On the loop's thread. */
  private static final class InLine extends WindowRecords {
    private final SchemaWatch schema;

    InLine(SchemaWatch schema) {
      this.schema = schema;
    }

    @Override
    SourceRecord next() throws IOException {
      return schema.next();
    }

    @Override
    void check() {
      schema.check();
    }
  }

  /** A failure of the read, thrown where the loop meets it. */
  private record Failure(Throwable thrown, boolean inCheck) {}

  /** A batch of records, and what ended the read after them (null: more to come). */
  private record Batch(List<SourceRecord> records, Failure failure, boolean end) {}

  /** On a reading thread of its own, handing batches over through a bounded queue. */
  private static final class Ahead extends WindowRecords {
    private final SchemaWatch schema;
    private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(BATCHES);
    private final Thread thread;
    private volatile boolean stopped;
    private Batch batch = new Batch(List.of(), null, false);
    private int at;

    /** A failure of {@code check} after the record last returned, thrown by {@link #check}. */
    private Throwable checkFailure;

    Ahead(SchemaWatch schema, String name) {
      this.schema = schema;
      this.thread = new Thread(this::read, name);
      thread.setDaemon(true);
      thread.start();
    }

    private void read() {
      List<SourceRecord> records = new ArrayList<>(BATCH);
      try {
        while (!stopped) {
          SourceRecord r;
          try {
            r = schema.next();
          } catch (IOException | RuntimeException | Error e) {
            hand(new Batch(records, new Failure(e, false), true));
            return;
          }
          if (r == null) {
            hand(new Batch(records, null, true));
            return;
          }
          records.add(r);
          try {
            schema.check();
          } catch (RuntimeException | Error e) {
            hand(new Batch(records, new Failure(e, true), true));
            return;
          }
          if (records.size() == BATCH) {
            hand(new Batch(records, null, false));
            records = new ArrayList<>(BATCH);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Queues {@code b}, waiting while the queue is full, unless the loop stopped reading. */
    private void hand(Batch b) throws InterruptedException {
      while (!stopped) {
        if (queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    }

    @Override
    SourceRecord next() throws IOException {
      checkFailure = null;
      while (at == batch.records().size()) {
        if (batch.end()) {
          Failure f = batch.failure();
          if (f != null && !f.inCheck()) {
            throw rethrow(f.thrown());
          }
          return null;
        }
        try {
          batch = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new UncheckedIOException(
              new java.io.InterruptedIOException("interrupted while reading"));
        }
        at = 0;
      }
      SourceRecord r = batch.records().get(at++);
      if (at == batch.records().size() && batch.failure() != null && batch.failure().inCheck()) {
        checkFailure = batch.failure().thrown();
      }
      return r;
    }

    @Override
    void check() {
      if (checkFailure != null) {
        Throwable t = checkFailure;
        checkFailure = null;
        throw unchecked(t);
      }
    }

    private static IOException rethrow(Throwable t) {
      if (t instanceof IOException io) {
        return io;
      }
      throw unchecked(t);
    }

    private static RuntimeException unchecked(Throwable t) {
      if (t instanceof RuntimeException r) {
        return r;
      }
      if (t instanceof Error e) {
        throw e;
      }
      return new IllegalStateException(t);
    }

    /** Stops the reading thread and waits for it, so that the source's reader can be closed. */
    @Override
    public void close() {
      stopped = true;
      queue.clear();
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join(100);
        } catch (InterruptedException e) {
          interrupted = true;
        }
        queue.clear();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
