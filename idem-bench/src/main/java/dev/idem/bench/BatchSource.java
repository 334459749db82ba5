package dev.idem.bench;

import dev.idem.DataException;
import dev.idem.json.JsonObjects;
import dev.idem.schema.Schema;
import dev.idem.schema.ValueParser;
import dev.idem.source.RecordReader;
import dev.idem.source.Source;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import dev.idem.window.WindowSpec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The batch in hand, as a source of one window: each value mapped as idem's Kafka source maps it.
 */
final class BatchSource implements Source {
  final AtomicReference<List<ConsumerRecord<byte[], byte[]>>> current =
      new AtomicReference<>(List.of());
  private final String topic;

  BatchSource(String topic) {
    this.topic = topic;
  }

  @Override
  public Schema schema() {
    return KafkaBench.ORDERS;
  }

  @Override
  public List<Window> windows(WindowSpec spec) {
    return List.of();
  }

  @Override
  public RecordReader read(WindowSpec spec, Window window) {
    var records = current.get().iterator();
    return new RecordReader() {
      @Override
      public SourceRecord next() {
        return records.hasNext() ? map(records.next()) : null;
      }

      @Override
      public void close() {}
    };
  }

  private static SourceRecord map(ConsumerRecord<byte[], byte[]> r) {
    String position = r.topic() + "-" + r.partition() + "@" + r.offset();
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(r.value()))
              .toString();
    } catch (CharacterCodingException e) {
      return SourceRecord.bad(
          position, new String(r.value(), StandardCharsets.UTF_8), "the value is not valid UTF-8");
    }
    try {
      Object[] values = JsonObjects.parse(text, KafkaBench.ORDERS, position);
      for (int i = 0; i < values.length; i++) {
        values[i] = ValueParser.convert(KafkaBench.ORDERS.column(i), values[i]);
      }
      return new SourceRecord(values, position);
    } catch (DataException e) {
      return SourceRecord.bad(position, text, e.getMessage());
    }
  }

  @Override
  public String describe() {
    return "kafka topic " + topic + " json, at-least-once batches";
  }
}
