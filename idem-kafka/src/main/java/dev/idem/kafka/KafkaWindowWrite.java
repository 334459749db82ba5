package dev.idem.kafka;

import dev.idem.context.RunContext;
import dev.idem.destination.CommitUnknownException;
import dev.idem.destination.Completion;
import dev.idem.destination.RowRefusedException;
import dev.idem.destination.WindowWrite;
import dev.idem.kafka.LedgerRecords.Marker;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.pipeline.Pipeline;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec.OffsetsId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * One window produced in one Kafka transaction: its records (to the target topic, keyed by the
 * pipeline's key), its dead letters, its marker in the ledger topic and, for a Kafka source on the
 * same cluster, the source partition's offset for the pipeline's consumer group. Readers with
 * {@code read_committed} see all of it or none of it. Closing without commit aborts.
 *
 * <p>Counts: every record staged is produced ({@code inserted}); a topic is a log, so nothing is
 * updated, skipped or folded, and the window's {@code targetRows} are the records it produced.
 */
final class KafkaWindowWrite implements WindowWrite {
  /** Room for a record's framing and headers beyond its key and value. */
  private static final int RECORD_OVERHEAD = 512;

  private final PipelineProducer session;
  private final Producer<byte[], byte[]> producer;
  private final Pipeline pipeline;
  private final Lease lease;
  private final RunContext context;
  private final String topic;
  private final RowMessages messages;
  private final List<Header> headers;
  private final int recordLimit;
  private final Instant startedAt;
  private final long began = System.nanoTime();
  private final AtomicReference<Exception> sendError = new AtomicReference<>();
  private final Callback onSent =
      (metadata, e) -> {
        if (e != null) {
          sendError.compareAndSet(null, e);
        }
      };
  private long produced;
  private long letters;
  private Marker marker;
  private boolean committed;
  private boolean closed;

  KafkaWindowWrite(
      PipelineProducer session,
      Producer<byte[], byte[]> producer,
      Pipeline pipeline,
      Lease lease,
      RunContext context) {
    this.session = session;
    this.producer = producer;
    this.pipeline = pipeline;
    this.lease = lease;
    this.context = context;
    this.topic = pipeline.target().table();
    this.messages = new RowMessages(pipeline, lease.windowId());
    this.headers =
        List.of(
            new RecordHeader("idem.pipeline", pipeline.name().getBytes(StandardCharsets.UTF_8)),
            new RecordHeader("idem.window", lease.windowId().getBytes(StandardCharsets.UTF_8)));
    this.recordLimit = session.destination().topics().recordLimit(topic);
    this.startedAt = session.destination().services().clock().instant();
  }

  @Override
  public void add(Object[] row) {
    byte[] key = messages.key(row);
    byte[] value = messages.value(row);
    long size = (long) (key == null ? 0 : key.length) + value.length + RECORD_OVERHEAD;
    if (size > recordLimit) {
      throw new RowRefusedException(
          "a record of "
              + (size - RECORD_OVERHEAD)
              + " bytes is larger than topic "
              + topic
              + " accepts ("
              + recordLimit
              + " bytes with framing: the topic's max.message.bytes and the producer's max.request.size)");
    }
    send(new ProducerRecord<>(topic, null, null, key, value, headers));
    produced++;
  }

  @Override
  public void deadLetter(DeadLetter letter) {
    DeadLetter stored =
        new DeadLetter(
            letter.windowId(),
            lease.token(),
            ++letters,
            letter.position(),
            letter.reason(),
            letter.raw(),
            letter.rawBytes(),
            letter.truncated(),
            context.runId(),
            session.destination().services().clock().instant(),
            null,
            null);
    send(session.letterRecord(stored));
  }

  @SuppressWarnings(
      "FutureReturnValueIgnored") // a failed send is reported to onSent and makes the commit throw
  private void send(ProducerRecord<byte[], byte[]> record) {
    try {
      producer.send(record, onSent);
    } catch (KafkaException e) {
      throw session.failure(producer, e, lease.windowId(), began);
    }
  }

  @Override
  public WindowCounts prepare(Completion completion) {
    Instant now = session.destination().services().clock().instant();
    WindowCounts counts =
        new WindowCounts(
            completion.read(),
            completion.discarded(),
            completion.deadLettered(),
            0,
            0,
            produced,
            0,
            0,
            0,
            0,
            0,
            produced);
    WindowState previous = lease.previous();
    WindowState done =
        new WindowState(
            pipeline.name(),
            lease.windowId(),
            WindowStatus.DONE,
            completion.fingerprint(),
            completion.definitionHash(),
            counts,
            context.runId(),
            context.pipelineVersion(),
            (previous == null ? 0 : previous.attempts()) + 1,
            lease.owner(),
            lease.token(),
            null,
            startedAt,
            now,
            null,
            completion.schema(),
            completion.sourcePosition());
    marker = new Marker(done, lease.token(), now, context.runId());
    send(session.markerRecord(marker));
    try {
      sendOffsets(completion);
      producer.flush();
    } catch (KafkaException e) {
      throw session.failure(producer, e, lease.windowId(), began);
    }
    Exception failed = sendError.get();
    if (failed instanceof KafkaException k) {
      throw session.failure(producer, k, lease.windowId(), began);
    }
    if (failed != null) {
      throw session.failure(producer, new KafkaException(failed), lease.windowId(), began);
    }
    return counts;
  }

  /**
   * A Kafka source on this cluster: the window's end offset is committed for the pipeline's
   * consumer group in the same transaction (read-process-write), so tools that watch group lag see
   * the pipeline's progress. The ledger still decides where windows start.
   */
  private void sendOffsets(Completion completion) {
    if (!(pipeline.source() instanceof KafkaSource source)
        || pipeline.windows().kind() != WindowKind.OFFSETS
        || completion.sourcePosition() == null) {
      return;
    }
    String servers = String.valueOf(source.config().client().get("bootstrap.servers"));
    if (!servers.equals(session.destination().config().bootstrapServers())) {
      return; // another cluster's offsets mean nothing to this one's groups
    }
    OffsetsId id = OffsetsId.parse(lease.windowId());
    producer.sendOffsetsToTransaction(
        Map.of(
            new TopicPartition(id.topic(), id.partition()),
            new OffsetAndMetadata(Long.parseLong(completion.sourcePosition()))),
        new ConsumerGroupMetadata(session.destination().config().group(pipeline.name())));
  }

  @Override
  public void commit() {
    if (marker == null) {
      throw new IllegalStateException("window " + lease.windowId() + ": commit before prepare");
    }
    try {
      producer.commitTransaction();
    } catch (TimeoutException | InterruptException e) {
      session.broken(producer);
      throw new CommitUnknownException(
          "window "
              + lease.windowId()
              + ": the commit of its transaction did not answer in time; the ledger topic,"
              + " read after a new initTransactions(), says whether it happened",
          e);
    } catch (KafkaException e) {
      throw session.failure(producer, e, lease.windowId(), began);
    }
    committed = true;
    session.committed(marker);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      session.finished(producer, lease, committed);
    }
  }
}
