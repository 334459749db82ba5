package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/notify through the command line against the example's own stub (HookStub.java, compiled
 * here as a user's {@code java HookStub.java} would run it): five days loaded send five hooks, the
 * second run finds every day unchanged and sends none.
 */
class NotifyExampleTest {
  @TempDir Path tmp;

  @Test
  void runsTwiceAndTheSecondRunSendsNothing() throws Exception {
    Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
    Path dir = Files.createDirectories(tmp.resolve("notify"));
    Files.copy(examples.resolve("notify/pipeline.yaml"), dir.resolve("pipeline.yaml"));
    Path data = Files.createDirectories(tmp.resolve("orders/data"));
    try (var files = Files.list(examples.resolve("orders/data"))) {
      for (Path f : files.toList()) {
        Files.copy(f, data.resolve(f.getFileName()));
      }
    }
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    int compiled =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "-d",
                classes.toString(),
                examples.resolve("notify/HookStub.java").toString());
    assertThat(compiled).isZero();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    AtomicInteger effects = new AtomicInteger();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()})) {
      Method start =
          loader
              .loadClass("HookStub")
              .getMethod("start", int.class, PrintStream.class, AtomicInteger.class);
      HttpServer stub =
          (HttpServer)
              start.invoke(
                  null, 0, new PrintStream(printed, true, StandardCharsets.UTF_8), effects);
      try {
        Map<String, String> env =
            Map.of("NOTIFY_HOOK_URL", "http://127.0.0.1:" + stub.getAddress().getPort() + "/hooks");
        Path pipeline = dir.resolve("pipeline.yaml");
        Cli.Result first = Cli.run(env, "run", pipeline.toString(), "--progress", "none");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("5 loaded");
        assertThat(first.err()).contains("notify: 5 delivered");
        assertThat(effects.get()).isEqualTo(5);
        assertThat(printed.toString(StandardCharsets.UTF_8))
            .contains("notify_orders: 2024-03-01 loaded,", "(success)");

        Cli.Result second = Cli.run(env, "run", pipeline.toString(), "--progress", "none");
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).contains("5 unchanged");
        assertThat(second.err()).doesNotContain("notify:");
        assertThat(effects.get()).isEqualTo(5);
      } finally {
        stub.stop(0);
      }
    }
  }
}
