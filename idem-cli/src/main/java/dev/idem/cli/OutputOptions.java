package dev.idem.cli;

import picocli.CommandLine.Option;

/** How results and errors are printed. */
final class OutputOptions {
  enum Format {
    text,
    json
  }

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "text (tables for people) or json (one document on stdout for programs). Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log at info level and print the stack trace of errors.")
  boolean verbose;

  boolean json() {
    return format == Format.json;
  }
}
