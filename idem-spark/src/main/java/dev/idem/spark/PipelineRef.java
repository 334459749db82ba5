package dev.idem.spark;

import dev.idem.ConfigException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.cli.pipelinefile.PipelineFile;
import dev.idem.connector.Secrets;
import dev.idem.key.KeyEncoding;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The pipeline file a Spark task loads again, as the driver loaded it: its path, the SHA-256 of its
 * bytes when the run started, and the run's {@code --set} values. A task that finds other bytes
 * (the file edited during a long backfill) fails rather than read with another delimiter, schema or
 * encoding than the driver's plan, ledger and fold, and rather than teach the driver (and its scan
 * cache) windows of another definition.
 */
record PipelineRef(String file, String sha256, List<String> sets) implements Serializable {
  private static final long serialVersionUID = 1L;

  PipelineRef {
    sets = List.copyOf(sets);
  }

  /** The driver's pipeline file, its bytes hashed now. */
  static PipelineRef of(Path file, List<String> sets) {
    return new PipelineRef(file.toString(), sha256(file), sets);
  }

  /**
   * The pipeline file loaded, on an executor, with the run's {@code --set} values and the source
   * narrowed to one input file ({@code source.path}, quoted as YAML so that a name holding {@code
   * #}, {@code :} or brackets stays the text it is).
   */
  PipelineDefinition narrowed(String pathSetting) {
    Path path = Path.of(file);
    String now = sha256(path);
    if (!now.equals(sha256)) {
      throw new ConfigException(
          "pipeline file "
              + file
              + " changed since the run started (its SHA-256 was "
              + sha256
              + ", is "
              + now
              + "); run again to load with the new definition");
    }
    List<String> narrowed = new ArrayList<>(sets);
    narrowed.add("source.path='" + pathSetting.replace("'", "''") + "'");
    return PipelineFile.load(path, narrowed, System::getenv, new Secrets());
  }

  private static String sha256(Path file) {
    try {
      return HexFormat.of().formatHex(KeyEncoding.digest().digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new UncheckedIOException("reading the pipeline file " + file, e);
    }
  }
}
