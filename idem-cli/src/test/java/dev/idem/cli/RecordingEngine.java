package dev.idem.cli;

import dev.idem.cli.pipelinefile.PipelineDefinition;
import dev.idem.context.Workers;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code --engine recording} (this module's tests only): runs the pipeline as the JVM runner does,
 * gives the destination {@link #WORKERS}, takes {@link #startMillis} to start, and records when it
 * started and stopped in {@link #EVENTS}.
 */
public final class RecordingEngine implements Engine {
  static final List<String> EVENTS = new CopyOnWriteArrayList<>();
  static final Workers WORKERS =
      new Workers() {
        @Override
        public int parallelism() {
          return 1;
        }

        @Override
        public <I, O> List<O> run(String description, List<I> inputs, Task<I, O> task) {
          return IN_PROCESS.run(description, inputs, task);
        }
      };
  static volatile long startMillis;

  @Override
  public String name() {
    return "recording";
  }

  @Override
  public Run start(PipelineDefinition definition, List<String> sets, String master) {
    try {
      Thread.sleep(startMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    EVENTS.add("engine started");
    PipelineDefinition onEngine =
        new PipelineDefinition(
            definition.file(),
            definition
                .pipeline()
                .withSource(
                    recording(
                        definition.pipeline().source(),
                        "windows",
                        "windows listed by the engine's source")),
            definition.destination(),
            definition.lineage(),
            definition.notifier());
    return new Run() {
      @Override
      public PipelineDefinition definition() {
        return onEngine;
      }

      @Override
      public Workers workers() {
        return WORKERS;
      }

      @Override
      public void close() {
        EVENTS.add("engine stopped");
      }
    };
  }

  /**
   * {@code target}, with every interface its class has, recording {@code event} in {@link #EVENTS}
   * after each call of its method named {@code method}.
   */
  @SuppressWarnings("unchecked")
  static <T> T recording(T target, String method, String event) {
    Set<Class<?>> interfaces = new LinkedHashSet<>();
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      interfaces.addAll(Arrays.asList(c.getInterfaces()));
    }
    return (T)
        Proxy.newProxyInstance(
            target.getClass().getClassLoader(),
            interfaces.toArray(Class<?>[]::new),
            (proxy, m, args) -> {
              try {
                return m.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              } finally {
                if (m.getName().equals(method)) {
                  EVENTS.add(event);
                }
              }
            });
  }
}
