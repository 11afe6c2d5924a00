package io.kqueue4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what the library logs through {@link System.Logger} (backed by {@code java.util.logging}
 * by default) under the logger {@code io.kqueue4j}, as the text a console would show, stack traces
 * included. The {@code java.util.logging} types are reached by reflection because the modules the
 * tests are compiled into do not read {@code java.logging}; the tests run on the class path, where
 * it is present.
 */
public final class LogCapture implements AutoCloseable {
  private final ByteArrayOutputStream text = new ByteArrayOutputStream();
  private final Object logger;
  private final Object handler;

  /**
   * Starts capturing.
   *
   * @throws ReflectiveOperationException when {@code java.util.logging} is not there
   */
  public LogCapture() throws ReflectiveOperationException {
    Class<?> loggerClass = Class.forName("java.util.logging.Logger");
    Class<?> handlerClass = Class.forName("java.util.logging.Handler");
    Class<?> formatterClass = Class.forName("java.util.logging.Formatter");
    Object formatter = Class.forName("java.util.logging.SimpleFormatter")
        .getConstructor().newInstance();
    handler = Class.forName("java.util.logging.StreamHandler")
        .getConstructor(OutputStream.class, formatterClass).newInstance(text, formatter);
    logger = loggerClass.getMethod("getLogger", String.class).invoke(null, "io.kqueue4j");
    loggerClass.getMethod("addHandler", handlerClass).invoke(logger, handler);
  }

  /**
   * Everything logged since this capture started.
   *
   * @return the text, as a console would show it
   * @throws ReflectiveOperationException when {@code java.util.logging} is not there
   */
  public synchronized String text() throws ReflectiveOperationException {
    handler.getClass().getMethod("flush").invoke(handler);
    return text.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws ReflectiveOperationException {
    Class.forName("java.util.logging.Logger")
        .getMethod("removeHandler", Class.forName("java.util.logging.Handler"))
        .invoke(logger, handler);
  }
}
