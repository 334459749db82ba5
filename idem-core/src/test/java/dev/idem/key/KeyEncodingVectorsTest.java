package dev.idem.key;

import static org.assertj.core.api.Assertions.assertThat;

import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.ValueParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks every test vector of docs/key-encoding.md against {@link KeyEncoding}. Also run by a
 * second surefire execution in a JVM whose default zone is Pacific/Chatham and locale tr_TR.
 */
class KeyEncodingVectorsTest {
  private static final Path DOC = Path.of("../docs/key-encoding.md");
  private static final Pattern ROW =
      Pattern.compile("^\\|\\s*(\\d+)\\s*\\|\\s*`([^`]*)`[^|]*\\|\\s*`([0-9a-f]{64})`\\s*\\|\\s*$");

  record Vector(int number, String input, String sha256) {}

  static List<Vector> vectors() throws IOException {
    List<Vector> all = new ArrayList<>();
    for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        all.add(new Vector(Integer.parseInt(m.group(1)), m.group(2), m.group(3)));
      }
    }
    return all;
  }

  @Test
  void theDocumentHasTheVectors() throws IOException {
    List<Vector> all = vectors();
    assertThat(all).hasSizeGreaterThanOrEqualTo(24);
    assertThat(all).extracting(Vector::number).doesNotHaveDuplicates();
  }

  @TestFactory
  Stream<DynamicTest> everyVectorMatches() throws IOException {
    return vectors().stream()
        .map(
            v ->
                DynamicTest.dynamicTest(
                    "vector " + v.number() + ": " + v.input(),
                    () ->
                        assertThat(KeyEncoding.sha256Hex(parseTuple(v.input())))
                            .isEqualTo(v.sha256())));
  }

  @Test
  void theNotationParsesAsDocumented() {
    assertThat(parseTuple("string:\"a , b\" , null , integer:-3"))
        .containsExactly("a , b", null, -3L);
    assertThat(parseTuple("string:\"\\u0000\\\"\"")).containsExactly("\0\"");
  }

  /** {@code type:literal , type:literal , null}; string literals are JSON string literals. */
  static Object[] parseTuple(String text) {
    List<Object> values = new ArrayList<>();
    int i = 0;
    while (true) {
      if (text.startsWith("null", i)) {
        values.add(null);
        i += 4;
      } else {
        int colon = text.indexOf(':', i);
        DataType type = DataType.parse(text.substring(i, colon));
        i = colon + 1;
        if (type.kind() == DataType.Kind.STRING || type.kind() == DataType.Kind.JSON) {
          StringBuilder sb = new StringBuilder();
          i = jsonString(text, i, sb);
          values.add(sb.toString());
        } else {
          int end = text.indexOf(" , ", i);
          end = end < 0 ? text.length() : end;
          values.add(ValueParser.parse(Column.of("v", type), text.substring(i, end)));
          i = end;
        }
      }
      if (i == text.length()) {
        return values.toArray();
      }
      if (!text.startsWith(" , ", i)) {
        throw new IllegalArgumentException("expected ' , ' at " + i + " in " + text);
      }
      i += 3;
    }
  }

  private static int jsonString(String text, int i, StringBuilder out) {
    if (text.charAt(i) != '"') {
      throw new IllegalArgumentException("expected a JSON string at " + i + " in " + text);
    }
    i++;
    while (true) {
      char c = text.charAt(i++);
      if (c == '"') {
        return i;
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = text.charAt(i++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          out.append((char) Integer.parseInt(text.substring(i, i + 4), 16));
          i += 4;
        }
        default -> throw new IllegalArgumentException("bad escape \\" + e + " in " + text);
      }
    }
  }
}
