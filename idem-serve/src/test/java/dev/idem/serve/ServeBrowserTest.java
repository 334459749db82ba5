package dev.idem.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What a person sees in a real browser: the overview, the grid's colours, a window's counts and
 * dead letters, a spot-check's result, and no serious accessibility violation (axe-core) on any of
 * them. Screenshots go to target/screenshots (docs/serve.md shows them).
 */
class ServeBrowserTest {
  private static final String DONE = "rgba(120, 200, 120, 1)";
  private static final String FAILED = "rgba(230, 110, 110, 1)";
  private static final String GAP = "rgba(232, 232, 232, 1)";

  @TempDir static Path dir;
  static WebServer server;
  static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start(Files.createDirectories(dir.resolve("profile")));
    Files.createDirectories(dir.resolve("data"));
    Path file = Orders.load(Files.createDirectories(dir.resolve("data")));
    server =
        new WebServer(List.of(Orders.served(file)), ServeTest.settings(ServeSettings.RawInput.SHOW))
            .start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  private static WebElement cell(String windowId) {
    return browser.findElement(By.cssSelector(".grid [title^='" + windowId + ":']"));
  }

  private static void screenshot(String name) throws Exception {
    Path out = Files.createDirectories(Path.of("target", "screenshots")).resolve(name + ".png");
    Files.copy(
        browser.getScreenshotAs(OutputType.FILE).toPath(),
        out,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void theOverviewLeadsToAGridColouredByStatus() throws Exception {
    browser.get(server.address());
    WebElement row = browser.findElement(By.cssSelector("tbody tr"));
    assertThat(row.getText()).startsWith("orders").contains("5 4 1 0 0 3");
    assertThat(Browser.seriousViolations(browser)).isEmpty();
    screenshot("overview");

    browser.findElement(By.linkText("orders")).click();
    new WebDriverWait(browser, Duration.ofMinutes(2))
        .until(ExpectedConditions.textToBe(By.tagName("h1"), "Pipeline orders"));
    assertThat(cell("2024-03-01").getCssValue("background-color")).isEqualTo(DONE);
    assertThat(cell("2024-03-02").getCssValue("background-color")).isEqualTo(DONE);
    assertThat(cell("2024-03-05").getCssValue("background-color")).isEqualTo(FAILED);
    assertThat(cell("2024-03-05").getAttribute("aria-label")).isEqualTo("2024-03-05: failed");
    assertThat(cell("2024-03-06").getCssValue("background-color")).isEqualTo(GAP);
    assertThat(browser.findElements(By.cssSelector(".grid .row"))).hasSize(1);
    assertThat(browser.findElements(By.cssSelector(".grid .cell"))).hasSize(31);
    assertThat(Browser.seriousViolations(browser)).isEmpty();
    screenshot("grid");
  }

  @Test
  void aWindowShowsItsBalanceAndItsDeadLettersAsText() throws Exception {
    browser.get(server.address() + "pipelines/orders");
    cell("2024-03-03").click();
    assertThat(awaited(By.cssSelector(".balance")).getText())
        .isEqualTo(
            "read 4 = discarded 0 + dead-lettered 1 + rolled back 0 + reshaped 0 + folded 0"
                + " + inserted 3 + updated 0 + unchanged 0 + skipped 0 + deleted 0 (balances)");
    WebElement letter = browser.findElement(By.cssSelector("tr.letter"));
    assertThat(letter.getText()).contains("line 7: unterminated quote");
    assertThat(letter.findElement(By.tagName("code")).getText()).isEqualTo(Orders.BAD_RAW);
    assertThat(browser.findElement(By.id("replay")).getText())
        .isEqualTo("idem dlq replay pipelines/orders.yaml");
    assertThat(Browser.seriousViolations(browser)).isEmpty();
    screenshot("window");
  }

  @Test
  void theSpotCheckShowsIdemChecksResults() throws Exception {
    browser.get(server.address() + "pipelines/orders");
    browser.findElement(By.cssSelector("form button")).click();
    assertThat(awaited(By.id("check-summary")).getText()).startsWith("worst: pass");
    List<String> rows =
        browser.findElements(By.cssSelector("tr.check")).stream().map(WebElement::getText).toList();
    assertThat(rows).anyMatch(r -> r.startsWith("whole table duplicate_keys pass"));
    assertThat(rows).anyMatch(r -> r.startsWith("2024-03-02 target_rows pass"));
    assertThat(Browser.seriousViolations(browser)).isEmpty();
  }

  @Test
  void withActionsAllowedAPersonReRunsAWindowFromItsPage() throws Exception {
    Path file = Orders.load(Files.createDirectories(dir.resolve("actions")));
    RunnerActions actions = new RunnerActions(Orders.url(file));
    try (WebServer s =
        new WebServer(List.of(Orders.served(file)), ActionsTest.settings(actions)).start()) {
      browser.get(s.address() + "pipelines/orders/window?id=2024-03-05");
      assertThat(Browser.seriousViolations(browser)).isEmpty();
      browser.findElement(By.xpath("//button[text()='Re-run window 2024-03-05']")).click();
      assertThat(awaited(By.id("action-command")).getText())
          .isEqualTo("Ran idem run pipelines/orders.yaml --window 2024-03-05: exit code 1");
      assertThat(browser.findElement(By.id("action-output")).getText())
          .startsWith("2024-03-05: FAILED");
      assertThat(actions.carriedOut).hasValue(1);
      assertThat(Browser.seriousViolations(browser)).isEmpty();
    }
  }

  /**
   * The element on the page a click leads to: a click may return before the browser has the next
   * page (an action runs a window first), so wait for it, within a bound.
   */
  private WebElement awaited(By locator) {
    return new WebDriverWait(browser, Duration.ofMinutes(2))
        .until(ExpectedConditions.presenceOfElementLocated(locator));
  }
}
