package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.pipeline.Pipeline;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the definition hashes of a fixture tree's pipeline files with the code it is compiled
 * against. Not a test (its name is outside surefire's includes, and it only runs when asked): it
 * was run once, at commit f6cfdba, to write {@code upgrade/0.1-f6cfdba/definitions.properties}:
 *
 * <pre>
 * ./mvnw -o -q -pl idem-cli -am test -Dtest=UpgradeFixtureRecorder -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Didem.upgrade.record=$PWD/idem-cli/src/test/resources/upgrade/0.1-f6cfdba
 * </pre>
 *
 * Run it again only to record a NEW release's fixtures into a new directory: it refuses to
 * overwrite recorded values, which are what later code is held to.
 */
class UpgradeFixtureRecorder {
  @Test
  @EnabledIfSystemProperty(named = "idem.upgrade.record", matches = ".+")
  void record() throws IOException {
    Path root = Path.of(System.getProperty("idem.upgrade.record"));
    Path out = root.resolve(UpgradeFixtures.DEFINITIONS);
    assertThat(out).as("recorded values are never overwritten").doesNotExist();
    Properties recorded = new Properties();
    List<String> files = UpgradeFixtures.pipelineFiles(root);
    for (String file : files) {
      Pipeline p = UpgradeFixtures.bind(root.resolve(file));
      recorded.setProperty(file + ".definition_hash", p.definitionHash());
      recorded.setProperty(file + ".source", p.source().describe());
      recorded.setProperty(file + ".describe", p.describe());
    }
    StringWriter text = new StringWriter();
    recorded.store(text, null);
    // Properties writes a date comment and no order: keep one line per value, sorted, for a stable
    // diff.
    List<String> lines = text.toString().lines().filter(l -> !l.startsWith("#")).sorted().toList();
    String header =
        "# Definition hashes computed by idem at commit f6cfdba (before issue 12) for the pipeline files beside this file.\n"
            + "# Written by UpgradeFixtureRecorder; read by UpgradeKeepsTheLedgerTest. Never edit or re-record.\n";
    Files.writeString(out, header + String.join("\n", lines) + "\n", StandardCharsets.ISO_8859_1);
  }
}
