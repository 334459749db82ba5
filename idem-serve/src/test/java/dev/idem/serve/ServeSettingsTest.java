package dev.idem.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which Host headers a request may carry (DNS rebinding), with and without ports. */
class ServeSettingsTest {
  private static ServeSettings bound(String bind, String... extra) {
    return new ServeSettings(
        bind,
        8080,
        ServeSettings.localHosts(bind, List.of(extra)),
        ServeSettings.RawInput.SHOW,
        Duration.ofSeconds(1),
        Orders::services);
  }

  @Test
  void loopbackNamesAreAllowedWithOrWithoutAPort() {
    ServeSettings s = bound("127.0.0.1");
    assertThat(List.of("localhost", "localhost:8080", "127.0.0.1:8080", "[::1]:8080", "[::1]"))
        .allMatch(s::allows);
    assertThat(
            List.of("attacker.example", "attacker.example:8080", "127.0.0.2", "", "localhost.evil"))
        .noneMatch(s::allows);
    assertThat(s.allows(null)).isFalse();
  }

  @Test
  void theBindAddressAndAllowedNamesAreAddedAnyAddressIsNot() {
    ServeSettings lan = bound("192.0.2.7", "idem.internal");
    assertThat(lan.allows("192.0.2.7:8080")).isTrue();
    assertThat(lan.allows("IDEM.internal:8080")).isTrue();
    assertThat(lan.allows("other.internal")).isFalse();
    ServeSettings any = bound("0.0.0.0");
    assertThat(any.allows("0.0.0.0")).isFalse();
    assertThat(bound("::1").allows("[::1]:8080")).isTrue();
  }

  @Test
  void aPortOutOfRangeIsRefused() {
    assertThatThrownBy(
            () ->
                new ServeSettings(
                    "127.0.0.1",
                    70000,
                    ServeSettings.localHosts("127.0.0.1", List.of()),
                    ServeSettings.RawInput.SHOW,
                    Duration.ofSeconds(1),
                    Orders::services))
        .hasMessage("port 70000 is not between 0 and 65535");
  }
}
