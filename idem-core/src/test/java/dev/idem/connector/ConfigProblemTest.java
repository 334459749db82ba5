package dev.idem.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.idem.ConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigProblemTest {
  private static Location at(int line) {
    return new Location("p.yaml", line, 3);
  }

  private static ConfigNode.Mapping section(Object... keysAndValues) {
    Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      String key = (String) keysAndValues[i];
      ConfigNode.Scalar value =
          ConfigNode.Scalar.of(
              at(10 + i),
              (String) keysAndValues[i + 1],
              keysAndValues[i + 1].toString().matches("\\d+")
                  ? ConfigNode.Scalar.Type.INTEGER
                  : ConfigNode.Scalar.Type.STRING);
      entries.put(key, new ConfigNode.Entry(key, at(10 + i), value));
    }
    return new ConfigNode.Mapping(at(9), entries);
  }

  @Test
  void aProblemNamesTheFileAndLine() {
    assertThat(new ConfigProblem(at(12), "source.lag: expected a duration").getMessage())
        .isEqualTo("p.yaml:12: source.lag: expected a duration");
    assertThat(
            new ConfigProblem(Location.of("--set target.table"), "target.table: expected a value")
                .getMessage())
        .isEqualTo("--set target.table: expected a value");
    assertThat(new ConfigProblem(at(1), "x")).isInstanceOf(ConfigException.class);
  }

  @Test
  void aSectionWordsItsErrorsByPath() {
    Section s =
        Section.of(
            "source", section("type", "kafka", "lag", "soon", "fetch_size", "0", "delimter", "x"));
    assertThat(
            catchThrowableOfType(ConfigProblem.class, () -> s.duration("lag", Duration.ZERO))
                .getMessage())
        .isEqualTo(
            "p.yaml:12: source.lag: expected a duration such as 10m, 30s, 2h, 1d or PT10M, got 'soon'");
    assertThat(
            catchThrowableOfType(ConfigProblem.class, () -> s.positiveInt("fetch_size", 1))
                .getMessage())
        .isEqualTo("p.yaml:14: source.fetch_size: expected a whole number of at least 1, got '0'");
    assertThat(
            catchThrowableOfType(ConfigProblem.class, () -> s.requiredScalar("url")).getMessage())
        .isEqualTo("p.yaml:9: source: missing required key 'url'");
    assertThat(
            catchThrowableOfType(
                    ConfigProblem.class,
                    () -> s.checkKeys(List.of("type", "lag", "fetch_size", "delimiter")))
                .getMessage())
        .isEqualTo(
            "p.yaml:16: unknown key 'delimter' in source: expected one of type, lag, fetch_size, delimiter (did you mean 'delimiter'?)");
    assertThat(s.duration("timeout", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aCoreErrorIsReportedAtTheNodeBeingBound() {
    ConfigNode.Mapping m = section("topic", "orders");
    ConfigProblem p =
        catchThrowableOfType(
            ConfigProblem.class,
            () ->
                Section.bind(
                    m.get("topic"),
                    "source.topic",
                    () -> {
                      throw new ConfigException("no such topic");
                    }));
    assertThat(p.getMessage()).isEqualTo("p.yaml:10: source.topic: no such topic");
    assertThat(Section.oneOf(List.of("csv", "jsonl", "jdbc", "kafka")))
        .isEqualTo("csv, jsonl, jdbc or kafka");
  }

  @Test
  void aPasswordLikePropertyIsLearned() {
    Secrets secrets = new Secrets();
    Section s =
        Section.of(
            "destination",
            section("url", "jdbc:x", "password", "file-written-pw", "sslmode", "require"));
    assertThat(s.properties(List.of("url"), secrets)).containsOnlyKeys("password", "sslmode");
    assertThat(secrets.redact("auth failed: file-written-pw, sslmode require"))
        .isEqualTo("auth failed: ***, sslmode require");
  }
}
