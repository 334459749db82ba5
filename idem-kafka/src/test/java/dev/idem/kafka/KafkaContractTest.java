package dev.idem.kafka;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.WindowWrite;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Ledger;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.testkit.contract.DestinationContractSuite;
import dev.idem.testkit.kafka.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The destination contract on a Kafka topic, against the real in-process broker ({@link
 * KafkaBroker}). Each destination has its own ledger topic, transactional ids and output topic (the
 * suite's table {@code orders} is renamed to a topic of the destination's own, as a fresh database
 * would have its own table); its rows are the topic's records as a {@code read_committed} consumer
 * reads them once the transactions just ended are visible.
 *
 * <p>What a topic cannot do is declared below, each with its reason (docs/kafka-destination.md,
 * "Contract suite"); everything else runs for real.
 */
class KafkaContractTest extends DestinationContractSuite {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

  @Override
  protected Map<WriteStrategy, String> refusedStrategies() {
    String deleted =
        "a topic cannot be truncated or have records deleted, since consumers may already have read them";
    return Map.of(
        WriteStrategy.MERGE,
            "a topic's records cannot be updated in place, since consumers may already have read them",
        WriteStrategy.REPLACE_WINDOW, deleted,
        WriteStrategy.REPLACE_TABLE, deleted);
  }

  @Override
  protected Map<Limit, String> limits() {
    return Map.of(
        Limit.RELOADS_A_DONE_WINDOW,
            "a done window is never produced again (forced, or its input changed): a topic cannot take records back;"
                + " the window is reported failed and the topic left as it was (checked)",
        Limit.COUNTS_THE_TARGET_BY_WINDOW,
            "a topic cannot be counted by window (retention may also have removed records), so a window's target rows"
                + " are the records its marker says it produced, and records cannot be deleted behind idem's back to begin with",
        Limit.RECORDS_CLAIMS_IN_THE_LEDGER,
            "claims are kept in the process (between processes the transactional id is the lease): nothing is"
                + " written when a window is claimed, so the ledger shows no window RUNNING (checked: nothing of the window is recorded)",
        Limit.APPEND_DEDUPLICATES_BY_KEY,
            "a topic is a log, not looked up by key: append produces every record of a window, duplicates included");
  }

  @Override
  protected Destination newDestination(RunServices services) {
    return new OwnTopic(
        KafkaDestination.open(KafkaDestinationTest.freshConfig(), services),
        KafkaBroker.uniqueName("orders"));
  }

  /**
   * The same cluster, ledger topic, transactional ids and output topic: a new process of the same
   * pipeline.
   */
  @Override
  protected Destination reopen(Destination destination, RunServices services) {
    OwnTopic d = (OwnTopic) destination;
    return new OwnTopic(KafkaDestination.open(d.kafka.config(), services), d.topic);
  }

  /**
   * Every committed record of the destination's topic as {@code
   * column=value|...|_idem_window=W|_key=K} (the JSON value's fields in order, the window from the
   * record's header), sorted.
   */
  @Override
  protected List<String> rows(Destination destination, String table) {
    OwnTopic d = (OwnTopic) destination;
    if (!table.equals("orders")) {
      throw new IllegalArgumentException("the suite's table is orders, not " + table);
    }
    List<String> rows = new ArrayList<>();
    if (!topicExists(d.topic)) {
      return rows; // nothing prepared yet
    }
    for (ConsumerRecord<String, String> r :
        KafkaDestinationTest.BROKER.readCommittedRecords(d.topic)) {
      StringBuilder row = new StringBuilder();
      try {
        for (Map.Entry<String, JsonNode> f : JSON.readTree(r.value()).properties()) {
          JsonNode v = f.getValue();
          row.append(row.length() == 0 ? "" : "|")
              .append(f.getKey())
              .append('=')
              .append(
                  v.isNull()
                      ? "null"
                      : v.isTextual()
                          ? v.asText()
                          : v.isBigDecimal() ? v.decimalValue().toPlainString() : v.toString());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "record " + r.topic() + "-" + r.partition() + "@" + r.offset() + " is not JSON", e);
      }
      Header window = r.headers().lastHeader("idem.window");
      row.append("|_idem_window=")
          .append(window == null ? "-" : new String(window.value(), StandardCharsets.UTF_8));
      row.append("|_key=").append(r.key());
      rows.add(row.toString());
    }
    rows.sort(null);
    return rows;
  }

  private static boolean topicExists(String topic) {
    try {
      return KafkaDestinationTest.BROKER.admin().listTopics().names().get().contains(topic);
    } catch (ExecutionException e) {
      throw new IllegalStateException("listing topics: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Never called: the case that needs it is opted out ({@link Limit#COUNTS_THE_TARGET_BY_WINDOW}).
   */
  @Override
  protected void deleteRowsOf(Destination destination, String table, String windowId) {
    throw new UnsupportedOperationException("a Kafka topic's records cannot be deleted");
  }

  /**
   * A Kafka destination whose target table {@code orders} is a topic of its own: the suite names
   * one table for every destination it opens, and all of them share one broker. Every call goes to
   * the real destination, with the pipeline's table renamed; nothing else changes.
   */
  private static final class OwnTopic implements Destination {
    private final KafkaDestination kafka;
    private final String topic;

    OwnTopic(KafkaDestination kafka, String topic) {
      this.kafka = kafka;
      this.topic = topic;
    }

    private Pipeline renamed(Pipeline p) {
      Pipeline.Builder b =
          Pipeline.builder(p.name())
              .version(p.version())
              .source(p.source())
              .windows(p.windows())
              .transform(p.transformSql())
              .table(topic)
              .targetColumns(p.target().columns())
              .key(p.target().key())
              .strategy(p.target().strategy())
              .orderBy(p.target().orderBy())
              .deletes(p.target().deletes())
              .badRecords(p.badRecords())
              .schemaDrift(p.schemaDrift());
      p.rowFunctions().forEach(b::rowFunction);
      return b.build();
    }

    @Override
    public void check(Pipeline pipeline) {
      kafka.check(renamed(pipeline));
    }

    @Override
    public void prepare(Pipeline pipeline) {
      kafka.prepare(renamed(pipeline));
    }

    @Override
    public Ledger ledger() {
      return kafka.ledger();
    }

    @Override
    public WindowWrite begin(Pipeline pipeline, Lease lease, RunContext context) {
      return kafka.begin(renamed(pipeline), lease, context);
    }

    @Override
    public long rowsInTarget(Pipeline pipeline, String windowId) {
      return kafka.rowsInTarget(renamed(pipeline), windowId);
    }

    @Override
    public void dropTarget(Pipeline pipeline) {
      kafka.dropTarget(renamed(pipeline));
    }

    @Override
    public String describe() {
      return kafka.describe() + " topic " + topic;
    }

    @Override
    public void close() {
      kafka.close();
    }
  }
}
