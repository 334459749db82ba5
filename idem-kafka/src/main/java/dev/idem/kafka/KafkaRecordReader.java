package dev.idem.kafka;

import dev.idem.DataException;
import dev.idem.json.JsonObjects;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import dev.idem.source.BadValue;
import dev.idem.source.RecordReader;
import dev.idem.source.SourceRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads one offsets window of one partition: from its start to its end, which is the end the ledger
 * recorded when the window is read again, else the partition's last stable offset at most {@code
 * max_records} away. Offsets of aborted transactions and transaction markers are skipped by the
 * {@code read_committed} consumer but still count towards the window's extent.
 */
final class KafkaRecordReader implements RecordReader {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final String[] METADATA = {
    "_kafka_partition", "_kafka_offset", "_kafka_timestamp", "_kafka_key", KafkaDeletes.COLUMN
  };

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final TopicPartition tp;

  /** {@code topic-partition@}: a record's position is this and its offset. */
  private final String positionPrefix;

  private final long end;
  private final Schema schema;
  private final Duration readTimeout;
  private final int[] metadata = new int[METADATA.length];

  /** How a null value deletes its key; null when it is a dead letter. */
  private final KafkaDeletes deletes;

  /** Strict UTF-8, reused for every record of this reader ({@code decode} resets it). */
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  private Iterator<ConsumerRecord<byte[], byte[]>> batch = Collections.emptyIterator();
  private boolean done;

  KafkaRecordReader(
      KafkaConsumer<byte[], byte[]> consumer,
      TopicPartition tp,
      long start,
      Optional<Long> recordedEnd,
      long limit,
      KafkaSourceConfig config,
      Schema schema,
      KafkaDeletes deletes)
      throws IOException {
    this.consumer = consumer;
    this.tp = tp;
    this.positionPrefix = tp.topic() + "-" + tp.partition() + "@";
    this.schema = schema;
    this.deletes = deletes;
    this.readTimeout = config.readTimeout();
    for (int i = 0; i < METADATA.length; i++) {
      metadata[i] = schema.indexOf(METADATA[i]);
    }
    try {
      consumer.assign(List.of(tp));
      long first = consumer.beginningOffsets(List.of(tp), readTimeout).get(tp);
      long stable = consumer.endOffsets(List.of(tp), readTimeout).get(tp);
      // a window never read ends at the partition's stable end, its record limit, or where the
      // next done window starts (one reset between two), whichever comes first
      this.end =
          recordedEnd.orElseGet(
              () -> Math.min(Math.min(stable, start + config.maxRecords()), limit));
      if (start < first && end > start) {
        throw KafkaSource.deletedByRetention(tp, start, first);
      }
      done = start >= end;
      if (!done) {
        consumer.seek(tp, start);
      }
    } catch (KafkaException e) {
      throw new IOException(tp + ": " + e.getMessage(), e);
    }
  }

  @Override
  public SourceRecord next() throws IOException {
    long waitingSince = System.nanoTime();
    while (!done) {
      if (batch.hasNext()) {
        ConsumerRecord<byte[], byte[]> r = batch.next();
        if (r.offset() >= end) {
          done = true;
          break;
        }
        return record(r);
      }
      try {
        if (consumer.position(tp, readTimeout) >= end) {
          done = true;
          break;
        }
        var polled = consumer.poll(POLL);
        batch = polled.records(tp).iterator();
        if (!polled.isEmpty()) {
          waitingSince = System.nanoTime();
        } else if (System.nanoTime() - waitingSince > readTimeout.toNanos()) {
          throw new IOException(
              tp
                  + ": no records for "
                  + readTimeout.toSeconds()
                  + " s at offset "
                  + consumer.position(tp)
                  + ", though the window ends at "
                  + end);
        }
      } catch (KafkaException e) {
        throw new IOException(tp + ": " + e.getMessage(), e);
      }
    }
    return null;
  }

  private SourceRecord record(ConsumerRecord<byte[], byte[]> r) {
    String position = positionPrefix + r.offset();
    boolean tombstone = r.value() == null;
    String text;
    Object[] values;
    if (tombstone) {
      if (deletes == null) {
        return SourceRecord.bad(position, "", "a null value (a tombstone) holds no record to load");
      }
      text = KafkaDeletes.keyText(r.key());
      try {
        values = deletes.values(r.key(), position);
      } catch (DataException e) {
        return SourceRecord.bad(position, text, e.getMessage());
      }
    } else {
      try {
        text = utf8.decode(ByteBuffer.wrap(r.value())).toString();
      } catch (CharacterCodingException e) {
        return SourceRecord.bad(
            position,
            new String(r.value(), StandardCharsets.UTF_8),
            "the value is not valid UTF-8");
      }
      try {
        values = JsonObjects.parse(text, schema, position);
      } catch (DataException e) {
        return SourceRecord.bad(position, text, e.getMessage());
      }
    }
    metadata(r, values);
    List<BadValue> bad = null;
    for (int i = 0; i < values.length; i++) {
      try {
        values[i] = ValueParser.convert(schema.column(i), values[i]);
      } catch (DataException e) {
        if (tombstone) {
          // a delete's only values are its key: one that does not convert deletes nothing
          return SourceRecord.bad(
              position,
              text,
              position + ": a null value deletes its key, and its key's " + e.getMessage());
        }
        // every bad value is named; the runner nulls them or dead-letters the record
        bad = bad == null ? new ArrayList<>() : bad;
        Object input = values[i];
        bad.add(
            new BadValue(
                schema.column(i).name(), input == null ? null : input.toString(), e.getMessage()));
        values[i] = null;
      }
    }
    return bad == null
        ? new SourceRecord(values, position)
        : SourceRecord.withBadValues(values, position, text, bad);
  }

  /**
   * The record's metadata, only into the columns declared: formatting a timestamp per record costs
   * as much as parsing it.
   */
  private void metadata(ConsumerRecord<byte[], byte[]> r, Object[] values) {
    if (metadata[0] >= 0) {
      values[metadata[0]] = Integer.toString(r.partition());
    }
    if (metadata[1] >= 0) {
      values[metadata[1]] = Long.toString(r.offset());
    }
    if (metadata[2] >= 0) {
      values[metadata[2]] = Instant.ofEpochMilli(r.timestamp()).toString();
    }
    if (metadata[3] >= 0) {
      values[metadata[3]] = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }
    if (metadata[4] >= 0) {
      values[metadata[4]] = r.value() == null ? "true" : "false";
    }
  }

  @Override
  public Optional<String> position() {
    return Optional.of(Long.toString(end));
  }

  @Override
  public void close() {
    // No group, no commits: what close() waits for is the fetch sent ahead past the window, which
    // the broker holds at most fetch.max.wait.ms (10 ms, see KafkaSource.consumer), and then the
    // end of the fetch session. Closing without waiting would leave a session per window in the
    // broker's cache (max.incremental.fetch.session.cache.slots, 1,000 by default, shared by every
    // client), evictable only after two idle minutes.
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
  }
}
