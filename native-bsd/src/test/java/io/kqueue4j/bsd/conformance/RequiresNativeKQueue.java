package io.kqueue4j.bsd.conformance;

import io.kqueue4j.bsd.BsdKQueueProvider;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where the native kqueue backend is available; elsewhere each of its tests
 * is reported as skipped, with the reason the provider gives (such as {@code libkqueue.so not
 * found}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(RequiresNativeKQueue.Condition.class)
public @interface RequiresNativeKQueue {

  /** The condition behind the annotation. */
  final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (context.getTestMethod().isEmpty()) {
        return ConditionEvaluationResult.enabled("decided per test, so each skip is counted");
      }
      Throwable cause = new BsdKQueueProvider().unavailabilityCause();
      return cause == null
          ? ConditionEvaluationResult.enabled("native kqueue: " + BsdKQueueProvider.describe())
          : ConditionEvaluationResult.disabled(String.valueOf(cause.getMessage()));
    }
  }
}
