package dev.idem.cli;

import dev.idem.IdemException;
import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.cli.pipelinefile.PipelineFile;
import dev.idem.retry.RetryPolicy;
import dev.idem.serve.ServeSettings;
import dev.idem.serve.ServedPipeline;
import dev.idem.serve.WebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code idem serve}: a read-only web page of pipelines' windows (module idem-serve). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCode.HELP_RUN_TIME, ExitCode.HELP_USAGE},
    description = {
      "Serve a read-only web page of the pipelines' windows.",
      "An overview, a grid of each pipeline's windows coloured by status, each window's counts, attempts and dead",
      "letters, and spot-checks (idem check's checks, recorded nowhere). Each request opens the destinations it shows",
      "read-only and closes them: a run is never kept waiting, and no ledger is created or migrated. The same data is",
      "JSON under /api/ (docs/serve.md). Stop with Ctrl-C."
    })
final class ServeCommand implements Callable<Integer> {
  /** How deep a directory is searched for pipeline files. */
  private static final int DEPTH = 3;

  private static final Pattern PIPELINE_KEY = Pattern.compile("(?m)^pipeline\\s*:");

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "PIPELINE|DIR",
      arity = "0..*",
      description =
          "Pipeline files, or directories searched (3 levels deep) for YAML files with a top-level"
              + " pipeline: key. Default: the current directory.")
  List<Path> paths = new ArrayList<>();

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port (default: ${DEFAULT-VALUE}; 0: any free port).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on (default: ${DEFAULT-VALUE}, this machine only). The page has no login:"
              + " bind another address only on a network you trust.")
  String bind;

  @Option(
      names = "--allow-host",
      paramLabel = "NAME",
      description =
          "Another host name the page may be reached by (the Host header is checked against localhost, the"
              + " loopback addresses and --bind, against DNS rebinding). Repeatable.")
  List<String> allowHosts = new ArrayList<>();

  @Option(
      names = "--hide-raw",
      description =
          "Show dead letters without their raw input (customer data): reason, position and size only.")
  boolean hideRaw;

  @Option(
      names = "--check-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How long a spot-check may take (default: ${DEFAULT-VALUE}).")
  Duration checkTimeout;

  @Option(
      names = "--input-timeout",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description =
          "How long the grid waits for its windows' inputs to be fingerprinted again (the stale-input"
              + " marker; default: ${DEFAULT-VALUE}). A window's page waits up to --check-timeout.")
  Duration inputTimeout;

  @Option(
      names = "--allow-actions",
      description =
          "Offer actions on the page: re-run a window (idem run FILE --window W) and replay dead letters"
              + " (idem dlq replay FILE), run here by the same commands, as POST forms with a token.")
  boolean allowActions;

  @Mixin LogOptions log;

  @Override
  public Integer call() {
    Idem idem = (Idem) spec.root().userObject();
    try (Logs logs = Logs.start(idem.err, log.level(false), log.logFormat, idem.secrets)) {
      List<PipelineDefinition> definitions = new ArrayList<>();
      try {
        List<ServedPipeline> served =
            served(paths.isEmpty() ? List.of(Path.of(".")) : paths, idem, definitions);
        if (served.isEmpty()) {
          throw new IdemException("no pipeline files found in " + paths);
        }
        ServeSettings settings =
            new ServeSettings(
                bind,
                port,
                ServeSettings.localHosts(bind, allowHosts),
                hideRaw ? ServeSettings.RawInput.HIDE : ServeSettings.RawInput.SHOW,
                checkTimeout,
                inputTimeout,
                allowActions ? new ServeActionsCli(idem) : null,
                () -> idem.services.get().withRetry(RetryPolicy.NONE));
        WebServer server = new WebServer(served, settings).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "idem-serve-stop"));
        idem.println(
            "idem serve: "
                + server.address()
                + " ("
                + served.size()
                + " pipeline"
                + (served.size() == 1 ? "" : "s")
                + (allowActions ? ", actions allowed" : ", read-only")
                + "; Ctrl-C stops)");
        new CountDownLatch(1).await();
        return ExitCode.OK;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ExitCode.OK;
      } finally {
        definitions.forEach(PipelineDefinition::close);
      }
    }
  }

  /**
   * The pipelines of these files and directories, in the order given (a directory's files sorted);
   * a file that cannot be read is served as its one-line error. Definitions read are added to
   * {@code opened}, for the caller to close.
   */
  static List<ServedPipeline> served(List<Path> paths, Idem idem, List<PipelineDefinition> opened) {
    List<ServedPipeline> served = new ArrayList<>();
    for (Path file : files(paths)) {
      try {
        PipelineDefinition d =
            PipelineFile.load(file, List.of(), idem.env, idem.secrets, idem.connectors);
        opened.add(d);
        served.add(ServedPipeline.of(file.toString(), d.pipeline(), d.destination()));
      } catch (IdemException e) { // a pipeline file's error is shown in its place on the page
        served.add(
            ServedPipeline.broken(
                file.toString(), file.toString(), idem.secrets.redact(e.getMessage())));
      }
    }
    return served;
  }

  private static List<Path> files(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (!Files.isDirectory(p)) {
        files.add(p);
        continue;
      }
      try (Stream<Path> walk = Files.walk(p, DEPTH)) {
        walk.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
            .filter(Files::isRegularFile)
            .sorted()
            .filter(ServeCommand::declaresPipeline)
            .forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  private static boolean declaresPipeline(Path file) {
    try {
      return PIPELINE_KEY.matcher(Files.readString(file)).find();
    } catch (IOException e) {
      return true; // unreadable: loading it says why, on the page
    }
  }
}
