package dev.idem.kafka;

import dev.idem.DataException;
import dev.idem.IdemException;
import dev.idem.TransientException;
import dev.idem.context.RunContext;
import dev.idem.destination.FencedException;
import dev.idem.destination.WindowWrite;
import dev.idem.kafka.LedgerRecords.Marker;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TransactionAbortedException;

/**
 * The transactional producer of one pipeline, with {@code transactional.id} {@code
 * <id_prefix>.<pipeline>}, and the pipeline's markers as read from the ledger topic right after its
 * {@code initTransactions()}. That call fences every earlier producer of the id (a zombie runner's
 * commit then fails) and ends the transaction it left open, so the markers read afterwards are
 * final: only this producer can add to them. The transactional id plays the part of the lease;
 * leases taken here ({@link ProcessLeases}) only keep the runners of this process apart.
 *
 * <p>A producer has one open transaction at a time, so the pipeline's windows are produced one
 * after the other: {@link #begin} waits until the window before has committed or aborted (with
 * {@code --parallel}, windows are read in parallel up to that point and serialized here).
 *
 * <p>After a commit whose outcome is unknown, the producer is closed and the next use starts a new
 * one with the same id: its {@code initTransactions()} completes or aborts the transaction, and the
 * markers read again say which. Once fenced by another runner, this one refuses every write until
 * {@link #open()} is called again (a new run).
 */
final class PipelineProducer implements AutoCloseable {
  private enum State {
    NEW,
    OPEN,
    BROKEN,
    FENCED
  }

  private final KafkaDestination destination;
  private final String pipeline;
  private final String transactionalId;
  private final Semaphore writer = new Semaphore(1, true);
  private final Map<String, Marker> markers = new ConcurrentHashMap<>();
  private final ProcessLeases leases;
  private Producer<byte[], byte[]> producer;
  private State state = State.NEW;
  private String fencedBecause;

  PipelineProducer(KafkaDestination destination, String pipeline) {
    this.destination = destination;
    this.pipeline = pipeline;
    this.transactionalId = destination.config().transactionalId(pipeline);
    this.leases = new ProcessLeases(pipeline, destination.services().clock(), markers);
  }

  /**
   * Starts a producer with the pipeline's transactional id ({@code initTransactions()}: fences the
   * previous one), then reads the ledger topic to its end. A producer already open is kept.
   */
  synchronized void open() {
    if (state == State.OPEN) {
      return;
    }
    closeProducer();
    Producer<byte[], byte[]> p = destination.newProducer(transactionalId);
    try {
      p.initTransactions();
    } catch (KafkaException e) {
      p.close(Duration.ZERO);
      throw LedgerTopics.failure(
          "starting the producer of pipeline "
              + pipeline
              + " (transactional.id "
              + transactionalId
              + ")",
          e);
    }
    producer = p;
    state = State.OPEN;
    try {
      Map<String, Marker> read = destination.topics().markers(pipeline, LedgerTopics.End.LOG_END);
      markers.clear();
      markers.putAll(read);
    } catch (RuntimeException e) {
      state = State.BROKEN;
      throw e;
    }
  }

  /** The open producer, started again after an unknown outcome; refused once fenced. */
  private synchronized Producer<byte[], byte[]> producer() {
    if (state == State.FENCED) {
      throw new FencedException(fencedBecause);
    }
    if (state != State.OPEN) {
      open();
    }
    return producer;
  }

  /**
   * True when this producer's markers are the ledger: it was opened and not fenced since. Before it
   * is opened, and once another runner has fenced it (and may have committed windows since), the
   * ledger is the topic's.
   */
  synchronized boolean opened() {
    return state == State.OPEN || state == State.BROKEN;
  }

  /** The markers, read again after an unknown outcome. */
  Map<String, Marker> markers() {
    synchronized (this) {
      if (state == State.BROKEN) {
        open();
      }
    }
    return markers;
  }

  // ---------------------------------------------------------------- leases (this process only)

  /** Claims a window unless a live runner ({@code alive}) holds an unexpired lease on it. */
  Optional<Lease> claim(String windowId, String owner, Duration ttl, Predicate<String> alive) {
    producer(); // refuses a fenced runner, opens a new one
    return leases.claim(windowId, owner, ttl, alive);
  }

  boolean renew(Lease lease, Duration ttl) {
    return leases.renew(lease, ttl, () -> state() == State.FENCED);
  }

  void release(Lease lease) {
    leases.release(lease);
  }

  private synchronized State state() {
    return state;
  }

  // ---------------------------------------------------------------- transactions

  /** Opens the window's transaction once the window before has finished (see the class comment). */
  WindowWrite begin(Pipeline p, Lease lease, RunContext context) {
    acquire(lease.windowId());
    try {
      Producer<byte[], byte[]> current = producer();
      if (!leases.holds(lease)) {
        throw new FencedException(
            "window "
                + lease.windowId()
                + ": lease token "
                + lease.token()
                + " was taken over by another runner");
      }
      Marker m = markers.get(lease.windowId());
      long now = m == null ? -1 : m.state().token();
      long before = lease.previous() == null ? -1 : lease.previous().token();
      if (now != before) {
        throw new FencedException(
            "window "
                + lease.windowId()
                + " was written by another runner after this runner claimed it");
      }
      if (m != null && m.state().status() == WindowStatus.DONE) {
        throw refusal(p, m.state());
      }
      try {
        current.beginTransaction();
      } catch (KafkaException e) {
        throw failure(current, e, lease.windowId(), System.nanoTime());
      }
      return new KafkaWindowWrite(this, current, p, lease, context);
    } catch (RuntimeException e) {
      writer.release();
      throw e;
    }
  }

  /** Why a done window is not produced again: a topic cannot take records back. */
  private IdemException refusal(Pipeline p, WindowState done) {
    String why =
        p.definitionHash().equals(done.definitionHash())
            ? "its input changed or the run was forced"
            : "the pipeline's definition changed";
    return new IdemException(
        "window "
            + done.windowId()
            + " was produced to topic "
            + p.target().table()
            + " already ("
            + done.counts().targetRows()
            + " records, run "
            + done.runId()
            + ") and "
            + why
            + ", but a Kafka topic cannot take records back (consumers may have read them),"
            + " so it is not produced again; to produce it anyway, with its records in the topic twice, run idem reset --window "
            + done.windowId()
            + " first");
  }

  private void acquire(String windowId) {
    try {
      if (!writer.tryAcquire(destination.services().leaseTtl().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new TransientException(
            "window "
                + windowId
                + ": another window of pipeline "
                + pipeline
                + " is being produced by this process"
                + " (one transaction at a time per transactional.id)",
            null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdemException("interrupted while waiting to produce window " + windowId, e);
    }
  }

  /** The window's transaction committed: its marker is now the ledger's. */
  void committed(Marker marker) {
    markers.put(marker.state().windowId(), marker);
  }

  /** Called once by each write when it closes, committed or not. */
  void finished(Producer<byte[], byte[]> used, Lease lease, boolean committed) {
    try {
      if (!committed) {
        abort(used);
      }
    } finally {
      release(lease);
      writer.release();
    }
  }

  private void abort(Producer<byte[], byte[]> used) {
    synchronized (this) {
      if (used != producer || state != State.OPEN) {
        return; // closed already: the next initTransactions() ends its transaction
      }
    }
    try {
      used.abortTransaction();
    } catch (KafkaException e) {
      broken(used); // the next initTransactions() aborts it
    }
  }

  /**
   * Marks the window failed, with the failed attempt's counts (their target rows those an earlier
   * load left) and dead letters, in a transaction of its own. A window that is done stays done: its
   * records are in the topic.
   */
  @SuppressWarnings(
      "FutureReturnValueIgnored") // a send that fails makes commitTransaction throw; its future
  // adds nothing
  void fail(Lease lease, String error, WindowCounts counts, List<DeadLetter> letters) {
    acquire(lease.windowId());
    Producer<byte[], byte[]> current = null;
    boolean open = false;
    try {
      current = producer();
      Marker m = markers.get(lease.windowId());
      // a later claim in this process counts as much as a later marker: a failure recorded under
      // the older token would make the new holder's begin() see the window written after its claim
      if ((m != null && m.state().token() > lease.token()) || leases.claimedAfter(lease)) {
        throw new FencedException(
            "window "
                + lease.windowId()
                + ": lease token "
                + lease.token()
                + " was taken over by another runner");
      }
      if (m != null && m.state().status() == WindowStatus.DONE) {
        return;
      }
      Instant now = destination.services().clock().instant();
      WindowState before = m == null ? null : m.state();
      String message = error.length() > 2000 ? error.substring(0, 2000) : error;
      WindowState failed =
          new WindowState(
              pipeline,
              lease.windowId(),
              WindowStatus.FAILED,
              before == null ? null : before.fingerprint(),
              before == null ? null : before.definitionHash(),
              counts,
              before == null ? null : before.runId(),
              before == null ? null : before.pipelineVersion(),
              (before == null ? 0 : before.attempts()) + 1,
              lease.owner(),
              lease.token(),
              null,
              before == null ? now : before.startedAt(),
              now,
              message,
              before == null ? null : before.schema(),
              before == null ? null : before.sourcePosition());
      Marker marker =
          letters.isEmpty()
              ? new Marker(
                  failed,
                  m == null ? 0 : m.lettersToken(),
                  m == null ? null : m.lettersSince(),
                  m == null ? null : m.lettersRun())
              : new Marker(failed, lease.token(), now, null);
      current.beginTransaction();
      open = true;
      long seq = 0;
      for (DeadLetter l : letters) {
        DeadLetter stored =
            new DeadLetter(
                l.windowId(),
                lease.token(),
                ++seq,
                l.position(),
                l.reason(),
                l.raw(),
                l.rawBytes(),
                l.truncated(),
                null,
                now,
                null,
                null);
        current.send(letterRecord(stored));
      }
      current.send(markerRecord(marker));
      current.commitTransaction();
      open = false;
      committed(marker);
    } catch (KafkaException e) {
      throw failure(current, e, lease.windowId(), System.nanoTime());
    } finally {
      if (open) {
        abort(current);
      }
      release(lease);
      writer.release();
    }
  }

  /** Forgets windows: a tombstone for each marker, in one transaction. */
  @SuppressWarnings(
      "FutureReturnValueIgnored") // a send that fails makes commitTransaction throw; its future
  // adds nothing
  int reset(Optional<String> windowId) {
    acquire(windowId.orElse("(all)"));
    Producer<byte[], byte[]> current = null;
    boolean open = false;
    try {
      current = producer();
      List<String> gone =
          new ArrayList<>(
              windowId.isPresent()
                  ? windowId.filter(markers::containsKey).stream().toList()
                  : markers.keySet());
      if (gone.isEmpty()) {
        return 0;
      }
      current.beginTransaction();
      open = true;
      for (String w : gone) {
        current.send(
            new ProducerRecord<>(
                destination.config().ledgerTopic(), LedgerRecords.markerKey(pipeline, w), null));
      }
      current.commitTransaction();
      open = false;
      gone.forEach(markers::remove);
      return gone.size();
    } catch (KafkaException e) {
      throw failure(current, e, windowId.orElse("(all)"), System.nanoTime());
    } finally {
      if (open) {
        abort(current);
      }
      writer.release();
    }
  }

  ProducerRecord<byte[], byte[]> markerRecord(Marker marker) {
    return new ProducerRecord<>(
        destination.config().ledgerTopic(),
        LedgerRecords.markerKey(pipeline, marker.state().windowId()),
        LedgerRecords.markerValue(marker));
  }

  ProducerRecord<byte[], byte[]> letterRecord(DeadLetter stored) {
    return new ProducerRecord<>(
        destination.config().deadLetterTopic(),
        LedgerRecords.letterKey(pipeline, stored.windowId(), stored.token(), stored.seq()),
        LedgerRecords.letterValue(stored));
  }

  /**
   * A producer error as idem reports it. When the transaction had been open longer than the
   * transaction timeout, the broker aborted it (and bumped the epoch, which looks like fencing):
   * the attempt is retried with a new producer and says so. Otherwise fencing means another runner
   * started with the same transactional id, and this one stops.
   */
  RuntimeException failure(
      Producer<byte[], byte[]> used, KafkaException e, String windowId, long beganNanos) {
    Throwable cause = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException
          || t instanceof InvalidProducerEpochException
          || t instanceof InvalidTxnStateException
          || t instanceof TransactionAbortedException
          || t instanceof RecordTooLargeException) {
        cause = t;
        break;
      }
    }
    Duration open = Duration.ofNanos(System.nanoTime() - beganNanos);
    Duration limit = destination.config().transactionTimeout();
    boolean aborted =
        cause instanceof ProducerFencedException
            || cause instanceof InvalidProducerEpochException
            || cause instanceof InvalidTxnStateException
            || cause instanceof TransactionAbortedException;
    if (aborted && open.compareTo(limit) >= 0) {
      broken(used);
      return new TransientException(
          "window "
              + windowId
              + " took "
              + open.toSeconds()
              + " s, longer than the producer's transaction timeout ("
              + limit.toSeconds()
              + " s), and the broker aborted its transaction; if this repeats, raise transaction_timeout (at most the broker's"
              + " transaction.max.timeout.ms) or make the windows smaller",
          e);
    }
    if (cause instanceof ProducerFencedException
        || cause instanceof InvalidProducerEpochException) {
      String message =
          "window "
              + windowId
              + ": the producer of pipeline "
              + pipeline
              + " (transactional.id "
              + transactionalId
              + ") was fenced: another runner of the pipeline started with the same transactional.id, and its windows are taken over;"
              + " this one commits nothing more";
      fenced(used, message);
      return new FencedException(message);
    }
    if (cause instanceof RecordTooLargeException) {
      return new DataException("window " + windowId + ": " + cause.getMessage());
    }
    broken(used);
    return LedgerTopics.failure("window " + windowId, e);
  }

  /**
   * The producer can no longer be trusted (unknown outcome, fatal error): the next use starts a new
   * one.
   */
  synchronized void broken(Producer<byte[], byte[]> used) {
    if (used != null && used == producer && state == State.OPEN) {
      closeProducer();
      state = State.BROKEN;
    }
  }

  private synchronized void fenced(Producer<byte[], byte[]> used, String message) {
    if (used == producer && state == State.OPEN) {
      closeProducer();
      state = State.FENCED;
      fencedBecause = message;
    }
  }

  KafkaDestination destination() {
    return destination;
  }

  private void closeProducer() {
    if (producer != null) {
      try {
        producer.close(Duration.ZERO);
      } catch (KafkaException ignored) {
        // closing a producer that failed: its transaction is ended by the next initTransactions()
      }
      producer = null;
    }
  }

  @Override
  public synchronized void close() {
    closeProducer();
    state = State.NEW;
  }
}
