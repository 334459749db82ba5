package dev.idem.connector;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a connector may use while binding its section: the pipeline file's directory (relative paths
 * are taken against it), the environment lookup, the {@link Secrets} to teach every secret it
 * meets, and the pipeline's name.
 *
 * @param directory the pipeline file's directory, absolute
 * @param pipelineName the pipeline's name ({@code pipeline:})
 * @param env looks up an environment variable; null means unset
 * @param secrets learns the secrets the connector finds (URL passwords, password properties)
 */
public record ConnectorContext(
    Path directory, String pipelineName, Function<String, String> env, Secrets secrets) {
  public ConnectorContext {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(pipelineName, "pipelineName");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(secrets, "secrets");
  }

  /** A path as written in the file, against the pipeline file's directory when relative. */
  public Path resolve(String path) {
    return directory.resolve(path).normalize();
  }
}
