package dev.idem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code idem --version} names the version and the git commit the build was made from. */
class VersionTest {
  @Test
  void versionAndCommit() {
    Cli.Result r = Cli.run("--version");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).matches("idem \\S+ \\(commit ([0-9a-f]{7,40}|unknown)\\)\\R");
    if (Files.exists(Path.of("..", ".git"))) {
      // built from a git checkout (or worktree): the commit is known
      assertThat(r.out()).matches("idem 0\\.\\S+ \\(commit [0-9a-f]{10}\\)\\R");
    }
  }

  @Test
  void withoutGitInformationTheCommitIsUnknown() {
    assertThat(Idem.Version.line(null)).matches("idem .+ \\(commit unknown\\)");
    String written = "git.build.version=1.2.3\ngit.commit.id.abbrev=\n";
    assertThat(Idem.Version.line(stream(written))).isEqualTo("idem 1.2.3 (commit unknown)");
  }

  @Test
  void theBuildsProperties() {
    String written = "git.build.version=1.2.3\ngit.commit.id.abbrev=0123abcdef\n";
    assertThat(Idem.Version.line(stream(written))).isEqualTo("idem 1.2.3 (commit 0123abcdef)");
  }

  private static ByteArrayInputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
