package dev.idem.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Spark 4 starts on Java 17 with the module's --add-opens, and runs tasks on two threads. */
@Tag("spark")
class SparkSessionTest {
  @Test
  void aLocalSessionRunsTasksOnTwoCores() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    assertThat(jsc.master()).isEqualTo("local[2]");
    assertThat(jsc.defaultParallelism()).isEqualTo(2);
    List<Integer> squares = jsc.parallelize(List.of(1, 2, 3, 4), 4).map(i -> i * i).collect();
    assertThat(squares).containsExactly(1, 4, 9, 16);
  }
}
