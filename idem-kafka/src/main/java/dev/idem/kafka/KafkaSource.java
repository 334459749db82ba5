package dev.idem.kafka;

import dev.idem.ConfigException;
import dev.idem.DataException;
import dev.idem.connector.Secrets;
import dev.idem.ledger.WindowState;
import dev.idem.ledger.WindowStatus;
import dev.idem.schema.Schema;
import dev.idem.source.Dataset;
import dev.idem.source.MakesDeletes;
import dev.idem.source.PartitionLag;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.StreamSource;
import dev.idem.window.Window;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import dev.idem.window.WindowSpec.OffsetsId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Kafka topic as a source of offsets windows. The ledger, not a consumer group, holds the
 * positions: each partition's windows form a chain in which a done window's recorded end ({@link
 * dev.idem.destination.Completion#sourcePosition()}) is the next window's start, and it commits
 * with the window's rows. A window that was begun and not finished is offered again with the same
 * start; its end is decided by the read that commits (at most {@code max_records} offsets, and
 * never past the last stable offset: only committed transactions are read). Runners need no group
 * membership: the ledger's leases decide who loads a partition's next window, so a runner that dies
 * hands its partitions over when its leases expire.
 *
 * <p>Values are JSON objects mapped to the declared schema; a value that is not (or a null value, a
 * tombstone, unless {@code null_value: delete} makes it a delete of its key: {@link KafkaDeletes})
 * is a bad record with position {@code topic-partition@offset}. Declared columns named {@code
 * _kafka_partition}, {@code _kafka_offset}, {@code _kafka_timestamp} and {@code _kafka_key} receive
 * the record's metadata.
 */
public final class KafkaSource implements StreamSource, MakesDeletes {
  private final Schema schema;
  private final KafkaSourceConfig config;
  private final boolean follow;

  /** The input fields a delete's key carries ({@code null_value: delete}); empty before keyedBy. */
  private final List<String> keyFields;

  /** The bounded run's end: each partition's end offset when this instance first planned. */
  private Map<Integer, Long> fixedEnd;

  /** Each partition's lag as the last plan saw it. */
  private volatile List<PartitionLag> lag = List.of();

  /**
   * The windows planned in a gap of their partition's chain (one reset between two done windows),
   * by id: where the next done window starts, which their read must not pass.
   */
  private final Map<String, Long> nextDone = new ConcurrentHashMap<>();

  /**
   * A topic read into {@code schema}; with {@code null_value: delete} the schema gains the boolean
   * column {@code _kafka_deleted} if it does not declare it.
   */
  public KafkaSource(Schema schema, KafkaSourceConfig config) {
    this(
        config.nullValue() == KafkaSourceConfig.NullValue.DELETE
            ? KafkaDeletes.withColumn(schema)
            : schema,
        config,
        false,
        List.of());
  }

  private KafkaSource(
      Schema schema, KafkaSourceConfig config, boolean follow, List<String> keyFields) {
    this.schema = schema;
    this.config = config;
    this.follow = follow;
    this.keyFields = List.copyOf(keyFields);
  }

  @Override
  public Optional<String> deleteColumn() {
    return config.nullValue() == KafkaSourceConfig.NullValue.DELETE
        ? Optional.of(KafkaDeletes.COLUMN)
        : Optional.empty();
  }

  @Override
  public Source keyedBy(List<String> fields) {
    return new KafkaSource(schema, config, follow, fields);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  public KafkaSourceConfig config() {
    return config;
  }

  @Override
  public StreamSource upToNow() {
    return new KafkaSource(schema, config, false, keyFields);
  }

  @Override
  public StreamSource following() {
    return new KafkaSource(schema, config, true, keyFields);
  }

  @Override
  public List<Window> windows(WindowSpec spec) throws IOException {
    return windows(spec, List.of());
  }

  @Override
  public List<Window> windows(WindowSpec spec, List<WindowState> ledger) throws IOException {
    requireOffsets(spec);
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = partitions(consumer);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, config.readTimeout());
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, config.readTimeout());
      Map<Integer, Long> limit = limits(end);
      Map<Integer, NavigableMap<Long, WindowState>> chains = chains(ledger);
      List<Window> planned = new ArrayList<>();
      List<PartitionLag> lags = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        NavigableMap<Long, WindowState> chain =
            chains.getOrDefault(tp.partition(), new TreeMap<>());
        // from the earliest offset (or the end), or where the chain starts; under earliest, a
        // chain starting past the earliest offset had its first windows reset: from there again
        boolean earliest = config.startFrom() == KafkaSourceConfig.StartFrom.EARLIEST;
        // under latest, only the partitions of the topic's first run start at their end: one
        // added since starts at its earliest offset, or what arrived before a plan saw it is lost
        boolean atEnd = !earliest && chains.isEmpty();
        long pos =
            chain.isEmpty()
                ? (atEnd ? end.get(tp) : begin.get(tp))
                : earliest ? Math.min(chain.firstKey(), begin.get(tp)) : chain.firstKey();
        WindowState at = chain.get(pos);
        while (at != null
            && at.status() == WindowStatus.DONE
            && at.sourcePosition() != null
            && position(at) > pos) {
          pos = position(at);
          at = chain.get(pos);
        }
        boolean pending =
            at != null && !(at.status() == WindowStatus.DONE && at.sourcePosition() != null);
        if (!chain.isEmpty() && pos > end.get(tp)) {
          // the ledger loaded past the partition's end: its log was cut back or the topic made
          // again, and waiting for it to pass the recorded position would skip what it holds
          throw new DataException(
              "topic "
                  + config.topic()
                  + " partition "
                  + tp.partition()
                  + " ends at offset "
                  + end.get(tp)
                  + ", before offset "
                  + pos
                  + " that idem's windows of it already loaded: the topic was deleted and made"
                  + " again, or its log was truncated; to load it from its start, "
                  + (earliest ? "" : "set source.start_from: earliest and ")
                  + "reset the pipeline's windows of it (idem reset --window ...)");
        }
        long until = limit.getOrDefault(tp.partition(), end.get(tp));
        // start_from latest with nothing loaded yet: a window at the partition's end, empty now,
        // anchors the chain there (an empty window is read afresh by the next plan)
        boolean anchor = chain.isEmpty() && atEnd;
        if (pending || pos < until || anchor) {
          String id = WindowSpec.offsetsId(config.topic(), tp.partition(), pos);
          Long next = chain.higherKey(pos);
          if (next == null) {
            nextDone.remove(id);
          } else {
            nextDone.put(id, next);
          }
          planned.add(spec.window(id));
        }
        lags.add(new PartitionLag(config.topic(), tp.partition(), Math.max(0, end.get(tp) - pos)));
      }
      lag = List.copyOf(lags);
      return planned;
    } catch (KafkaException e) {
      throw new IOException(config.topic() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A bounded instance fixes each partition's end at the first plan that sees it: a partition added
   * during the run ends where it was when first seen, so a run without {@code --follow} ends.
   */
  private synchronized Map<Integer, Long> limits(Map<TopicPartition, Long> end) {
    if (follow) {
      return Map.of();
    }
    if (fixedEnd == null) {
      fixedEnd = new HashMap<>();
    }
    end.forEach((tp, e) -> fixedEnd.putIfAbsent(tp.partition(), e));
    return fixedEnd;
  }

  /** The ledger's windows of this topic, by partition and start offset. */
  private Map<Integer, NavigableMap<Long, WindowState>> chains(List<WindowState> ledger) {
    Map<Integer, NavigableMap<Long, WindowState>> chains = new HashMap<>();
    for (WindowState s : ledger) {
      OffsetsId id;
      try {
        id = OffsetsId.parse(s.windowId());
      } catch (ConfigException e) {
        continue;
      }
      if (id.topic().equals(config.topic())) {
        chains.computeIfAbsent(id.partition(), p -> new TreeMap<>()).put(id.start(), s);
      }
    }
    return chains;
  }

  static long position(WindowState state) {
    try {
      return Long.parseLong(state.sourcePosition());
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "window "
              + state.windowId()
              + " records source position '"
              + state.sourcePosition()
              + "', not an offset");
    }
  }

  /** The lag of each partition of the topic at the last plan, up to its last stable offset. */
  @Override
  public List<PartitionLag> lag() {
    return lag;
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window) throws IOException {
    return read(spec, window, Optional.empty());
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window, Optional<WindowState> recorded)
      throws IOException {
    requireOffsets(spec);
    OffsetsId id = OffsetsId.parse(window.id());
    if (!id.topic().equals(config.topic())) {
      throw new ConfigException("window " + window.id() + " is not of topic " + config.topic());
    }
    // an empty window (its end is its start) binds nothing: reading it afresh cannot overlap
    // another
    Optional<Long> recordedEnd =
        recorded
            .filter(s -> s.sourcePosition() != null)
            .map(KafkaSource::position)
            .filter(end -> end > id.start());
    KafkaConsumer<byte[], byte[]> consumer = consumer();
    try {
      return new KafkaRecordReader(
          consumer,
          new TopicPartition(id.topic(), id.partition()),
          id.start(),
          recordedEnd,
          nextDone.getOrDefault(window.id(), Long.MAX_VALUE),
          config,
          schema,
          deleteColumn().isPresent() ? new KafkaDeletes(schema, keyFields) : null);
    } catch (RuntimeException | IOException e) {
      consumer.close(CloseOptions.timeout(Duration.ZERO));
      throw e;
    }
  }

  @Override
  public String describe() {
    return "kafka topic " + config.topic() + " json";
  }

  /** The topic, in the namespace of its brokers ({@code kafka://host:9092}). */
  @Override
  public Dataset dataset() {
    return new Dataset(
        Secrets.describeUrl("kafka://" + config.client().get("bootstrap.servers")), config.topic());
  }

  @Override
  public String toString() {
    return describe();
  }

  private static void requireOffsets(WindowSpec spec) {
    if (spec.kind() != WindowKind.OFFSETS) {
      throw new ConfigException(
          "a kafka source has offsets windows, not " + spec.kind().name().toLowerCase(Locale.ROOT));
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
    List<PartitionInfo> infos = consumer.partitionsFor(config.topic(), config.readTimeout());
    if (infos == null || infos.isEmpty()) {
      throw new ConfigException("kafka topic " + config.topic() + " does not exist");
    }
    return infos.stream()
        .map(i -> new TopicPartition(i.topic(), i.partition()))
        .sorted(Comparator.comparingInt(TopicPartition::partition))
        .toList();
  }

  KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> props = new HashMap<>(config.client());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // positions live in the ledger, not in a group
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    // A window ends at or below the last stable offset it saw, so a read never waits for records to
    // arrive. But the fetch the consumer sends ahead after a window's last records finds nothing,
    // the broker holds it fetch.max.wait.ms (500 ms by default), and close() waits for it before it
    // can end the fetch session: half a second per window that reaches its partition's end.
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "idem-source-" + config.topic());
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Thrown by reads when a window starts before the partition's first kept offset. */
  static DataException deletedByRetention(TopicPartition tp, long start, long first) {
    return new DataException(
        tp
            + ": offsets "
            + start
            + " to "
            + (first - 1)
            + " were deleted by the topic's retention before idem loaded them:"
            + " the window cannot be loaded (raise retention.ms or load more often)");
  }
}
