package dev.idem.cli;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Says on stderr each time Spark makes a Kryo instance, so that a test can tell Kryo carried the
 * tasks' inputs and results ({@code -Dspark.kryo.registrator=} this class); registers nothing.
 */
public final class SayingKryoRegistrator implements KryoRegistrator {
  static final String SAYS = "idem test: Spark made a Kryo serializer";

  @Override
  public void registerClasses(Kryo kryo) {
    System.err.println(SAYS);
  }
}
