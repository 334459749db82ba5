package dev.idem.run;

import dev.idem.DataException;
import dev.idem.TransientException;
import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.context.Workers;
import dev.idem.destination.Completion;
import dev.idem.destination.Destination;
import dev.idem.destination.RowFold;
import dev.idem.destination.RowRefusedException;
import dev.idem.destination.WindowWrite;
import dev.idem.fault.FaultPoint;
import dev.idem.key.Fingerprint;
import dev.idem.ledger.Lease;
import dev.idem.ledger.NulledValue;
import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import dev.idem.source.BadValue;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A claimed window's load: reads its records (the row loop), hashes them into its fingerprint,
 * applies row functions and the hash key, stages the good ones and tallies the bad ones, then
 * prepares the write and commits data and ledger row in one transaction. Any failure before the
 * commit leaves nothing of the window: the write is closed, which rolls it back.
 */
final class WindowLoad {
  private static final int PROGRESS_EVERY = 50_000;

  private final Destination destination;
  private final RunServices services;
  private final RunListener listener;
  private final CommitResolution commits;

  WindowLoad(
      Destination destination,
      RunServices services,
      RunListener listener,
      CommitResolution commits) {
    this.destination = destination;
    this.services = services;
    this.listener = listener;
    this.commits = commits;
  }

  /**
   * Loads and commits the window; its counts. {@code last} learns how far it read, even when it
   * fails.
   */
  WindowCounts write(
      Pipeline pipeline,
      Window window,
      Lease lease,
      RunContext context,
      LeaseRenewal renewal,
      WindowLoader.LastAttempt last) {
    Fingerprint fingerprint = new Fingerprint();
    long discarded = 0;
    long read = 0;
    long foldedEarly = 0;
    long elsewhere = 0;
    // the letters so far are kept outside the transaction: a failure rolls the window back
    BadRecordTally bad = new BadRecordTally(pipeline, window);
    RecordStaging staging = new RecordStaging(pipeline);
    Optional<String> cheapBefore = InputFingerprint.cheap(pipeline, window);
    WindowTimings.Phases phases = last.phases;
    long mark = System.nanoTime();
    // the row loop's time is staging but for the time spent in next(): two clock reads a record;
    // added up in the finally block, so a failed attempt's time counts too
    long loopStarted = 0;
    long reading = 0;
    try (WindowWrite write = destination.begin(pipeline, lease, context);
        SchemaWatch schema =
            open(pipeline, window, write, lease, phases, mark, cheapBefore.isPresent())) {
      // records the destination staged from the source's files itself (NativeRead); the loop
      // below then reads none
      long staged = schema.stagedByDestination();
      read = staged;
      if (staged > 0) {
        services.faults().reach(FaultPoint.MID_STAGING, window);
      }
      boolean hashRecords =
          cheapBefore.isEmpty(); // a source with a cheap fingerprint spares a SHA-256 per record
      schema.check(); // a query's result metadata is observed before its first row
      loopStarted = System.nanoTime();
      // read, parsed and typed on another core where the source allows it (WindowRecords); closed
      // before the schema watch, which closes the source's reader
      try (WindowRecords records = WindowRecords.of(pipeline, schema, window.id())) {
        while (true) {
          long beforeNext = System.nanoTime();
          SourceRecord r = records.next();
          reading += System.nanoTime() - beforeNext;
          if (r == null) {
            break;
          }
          read++;
          records.check();
          if (r.isStagedElsewhere()) {
            // staged by the reader and kept where it was read (ScattersRows): the write plans it
            // there; it counts as staged here
            if (!schema.scatters()) {
              throw new IllegalStateException(
                  "the source returned a record staged elsewhere at " + r.position() + " unasked");
            }
            elsewhere++;
          } else if (r.isFolded()) {
            // staged by the reader and folded away there (FoldsEarly): it counts as staged here,
            // for the fault point and the progress too; the fingerprint does not hash records
            if (!schema.foldsEarly()) {
              throw new IllegalStateException(
                  "the source returned a folded record at " + r.position() + " unasked");
            }
            foldedEarly++;
          } else {
            if (hashRecords) {
              InputFingerprint.add(fingerprint, r);
            }
            r = staging.judge(r);
            if (r.isBad()) {
              bad.add(write, r, read);
              continue;
            }
            Object[] values = staging.row(r, context);
            if (values == null) {
              discarded++;
              continue;
            }
            try {
              write.add(schema.row(values, r.values()), r.position());
            } catch (RowRefusedException e) {
              bad.add(
                  write,
                  SourceRecord.bad(r.position(), Arrays.toString(values), e.getMessage()),
                  read);
              continue;
            }
          }
          nulledValues(write, window, r);
          if (++staged == 1) {
            services.faults().reach(FaultPoint.MID_STAGING, window);
          }
          if (staged % PROGRESS_EVERY == 0) {
            listener.progress(window, staged);
          }
        }
      }
      schema.checkComplete();
      takeScattered(write, schema, elsewhere);
      bad.finish(read);
      endLoop(phases, loopStarted, reading);
      loopStarted = 0;
      services.faults().reach(FaultPoint.AFTER_STAGING, window);
      mark = System.nanoTime();
      if (!cheapBefore.equals(InputFingerprint.cheap(pipeline, window))) {
        // The input (a file) changed while it was read: what was staged matches neither version.
        throw new TransientException(
            "input of window " + window.id() + " changed while it was read", null);
      }
      String fp = cheapBefore.orElse(fingerprint.value());
      phases.read += System.nanoTime() - mark;
      mark = System.nanoTime();
      WindowCounts counts =
          write.prepare(
              new Completion(
                  fp,
                  pipeline.definitionHash(),
                  read,
                  discarded,
                  bad.count(),
                  foldedEarly,
                  schema.report(),
                  schema.reader().position().orElse(null),
                  bad::refusedWhenPrepared));
      phases.apply += System.nanoTime() - mark;
      renewal.completing();
      services.faults().reach(FaultPoint.BEFORE_COMMIT, window);
      mark = System.nanoTime();
      commits.commit(pipeline, window, lease, write);
      phases.commit += System.nanoTime() - mark;
      return counts;
    } catch (BadRecords e) {
      throw e;
    } catch (DataException e) {
      // the rollback loses the letters written so far: keep them with the failure (input the
      // reader cannot move past is first a dead letter, then this error)
      throw bad.failure(e);
    } catch (IOException e) {
      throw new TransientException("reading window " + window.id() + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new TransientException(
          "reading window " + window.id() + ": " + e.getCause().getMessage(), e);
    } finally {
      last.read = read;
      last.discarded = discarded;
      endLoop(phases, loopStarted, reading);
    }
  }

  /** Adds the row loop's time, unless it has not started or was added already ({@code 0}). */
  private static void endLoop(WindowTimings.Phases phases, long loopStarted, long reading) {
    if (loopStarted != 0) {
      phases.read += reading;
      phases.stage += System.nanoTime() - loopStarted - reading;
    }
  }

  /**
   * Has the destination stage the window from the source's files where it can ({@link NativeRead}),
   * else opens the source's reader for the window: the time since {@code begun} (beginning the
   * write) and the destination's staging are staging, the opening itself (a query runs, a file
   * opens) is reading.
   */
  private static SchemaWatch open(
      Pipeline pipeline,
      Window window,
      WindowWrite write,
      Lease lease,
      WindowTimings.Phases phases,
      long begun,
      boolean cheapFingerprint)
      throws IOException {
    Optional<SchemaWatch> staged = NativeRead.attempt(pipeline, window, write, cheapFingerprint);
    long opening = System.nanoTime();
    phases.stage += opening - begun;
    if (staged.isPresent()) {
      return staged.get();
    }
    // a reader may fold the window's rows early by the write's rule, unless it would miss
    // records: ones the fingerprint hashes, or row functions, which need the run's context
    Optional<RowFold> fold =
        cheapFingerprint && pipeline.rowFunctions().isEmpty() ? write.rowFold() : Optional.empty();
    try {
      return SchemaWatch.open(pipeline, window, write, fold, Optional.ofNullable(lease.previous()));
    } finally {
      phases.read += System.nanoTime() - opening;
    }
  }

  /**
   * Hands the rows the reader kept where it read them ({@link dev.idem.source.ScattersRows}) to the
   * write, which then owns them: as many as the records it returned as staged elsewhere.
   */
  private static void takeScattered(WindowWrite write, SchemaWatch schema, long elsewhere) {
    Optional<Workers.Scattered> scattered = schema.scattered();
    if (scattered.isEmpty()) {
      if (elsewhere > 0) {
        throw new IllegalStateException(
            "the source returned " + elsewhere + " records staged elsewhere without their rows");
      }
      return;
    }
    Workers.Scattered rows = scattered.get();
    if (rows.rows() != elsewhere) {
      rows.close();
      throw new IllegalStateException(
          "the source kept "
              + rows.rows()
              + " rows where it read them for "
              + elsewhere
              + " records staged elsewhere");
    }
    write.addScattered(rows);
  }

  /** Records the values nulled in a staged record ({@code on_bad_value: null}). */
  private static void nulledValues(WindowWrite write, Window window, SourceRecord r) {
    for (BadValue v : r.badValues()) {
      write.nulledValue(
          new NulledValue(window.id(), r.position(), v.column(), v.raw(), v.reason()));
    }
  }
}
