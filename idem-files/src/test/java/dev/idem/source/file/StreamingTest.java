package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CSV more than ten times the heap is read in a child JVM with -Xmx32m. The timeout is a safety
 * net for a hung child on a busy machine, not a speed target (those live in idem-bench).
 */
class StreamingTest {
  private static final long TARGET_BYTES = 350L * 1024 * 1024;

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void aFileTenTimesTheHeapIsStreamed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("big.csv");
    long rows = 0;
    long idSum = 0;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("id,name,amount,at\n");
      String pad = "x".repeat(40);
      StringBuilder line = new StringBuilder(128);
      long bytes = 0;
      while (bytes < TARGET_BYTES) {
        rows++;
        idSum += rows;
        line.setLength(0);
        line.append(rows)
            .append(",\"name ")
            .append(rows % 1000)
            .append(", ")
            .append(pad)
            .append("\",")
            .append(rows % 100000)
            .append('.')
            .append(rows % 10)
            .append("5,2024-03-15T07:00:")
            .append(rows % 50 + 10)
            .append("Z\n");
        w.append(line);
        bytes += line.length();
      }
    }
    assertThat(Files.size(file)).isGreaterThan(320L * 1024 * 1024);
    try {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "-Xmx32m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  CountRows.class.getName(),
                  file.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).as(out).isEqualTo(0);
      List<String> parts = List.of(out.split(" ", 3));
      assertThat(parts.get(0)).isEqualTo(Long.toString(rows));
      assertThat(parts.get(1)).isEqualTo(Long.toString(idSum));
      assertThat(parts.get(2)).startsWith("[" + rows + ", name " + (rows % 1000) + ", xxxx");
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
