package dev.idem.serve;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium from Debian's packages, driven by Selenium through the packaged chromedriver:
 * both paths are given, so Selenium never downloads a driver or a browser. Missing, the tests are
 * skipped on a developer's machine and fail under CI ({@code CI} set, or {@code
 * -Didem.browser.required=true}).
 */
final class Browser {
  static final String CHROMIUM = System.getProperty("idem.chromium", "/usr/bin/chromium");
  static final String CHROMEDRIVER =
      System.getProperty("idem.chromedriver", "/usr/bin/chromedriver");

  private Browser() {}

  static ChromeDriver start(Path profile) {
    boolean present =
        Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
    if (!present) {
      String why =
          "no "
              + CHROMIUM
              + " or "
              + CHROMEDRIVER
              + ": apt-get install -y chromium chromium-driver (.ci/run does)";
      if (System.getenv("CI") != null || Boolean.getBoolean("idem.browser.required")) {
        Assertions.fail(why);
      }
      Assumptions.abort(why);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).build();
    return new ChromeDriver(service, options);
  }

  /**
   * Runs axe-core (vendored from its npm package) on the page; returns its violations of impact
   * serious or critical as "rule: help (n nodes)".
   */
  @SuppressWarnings("unchecked") // axe's result is JSON, handed back as maps and lists
  static List<String> seriousViolations(ChromeDriver driver) throws IOException {
    String axe;
    try (InputStream in = Browser.class.getResourceAsStream("/axe/axe.min.js")) {
      axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JavascriptExecutor js = driver;
    js.executeScript(axe);
    Object result =
        js.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "axe.run(document).then(r => done(r.violations), e => done([{id: 'axe-error',"
                + " impact: 'critical', help: String(e), nodes: []}]));");
    return ((List<Map<String, Object>>) result)
        .stream()
            .filter(v -> List.of("serious", "critical").contains(String.valueOf(v.get("impact"))))
            .map(
                v ->
                    v.get("id")
                        + ": "
                        + v.get("help")
                        + " ("
                        + ((List<?>) v.get("nodes")).size()
                        + " nodes)")
            .toList();
  }
}
