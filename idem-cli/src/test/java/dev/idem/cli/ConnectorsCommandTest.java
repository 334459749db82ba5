package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code idem connectors}: the factories the command line finds with ServiceLoader, which its code
 * does not name.
 */
class ConnectorsCommandTest {
  @Test
  void listsEverySourceAndDestinationOnTheClassPath() {
    Cli.Result r = Cli.run("connectors");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().map(l -> l.replaceAll("\\s+", " ").strip()).toList())
        .contains(
            "source csv csv dev.idem.source.file.CsvSourceFactory",
            "source jsonl jsonl dev.idem.source.file.JsonLinesSourceFactory",
            "source jdbc jdbc dev.idem.jdbc.connector.JdbcSourceFactory",
            "source kafka kafka (stream) dev.idem.kafka.KafkaSourceFactory",
            "destination jdbc duckdb (the default type) dev.idem.jdbc.connector.DuckDbDestinationFactory",
            "destination jdbc jdbc (the default type) dev.idem.jdbc.connector.JdbcDestinationFactory",
            "destination kafka kafka dev.idem.kafka.KafkaDestinationFactory",
            "destination http http dev.idem.http.HttpDestinationFactory");
    assertThat(Cli.run("connectors", "--output", "json").out())
        .contains("\"kind\" : \"source\"")
        .contains("\"type\" : \"kafka\"");
  }
}
