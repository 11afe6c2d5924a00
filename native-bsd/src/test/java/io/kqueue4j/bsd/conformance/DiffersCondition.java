package io.kqueue4j.bsd.conformance;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Skips, with the reason, the inherited cases a test class lists with {@link Differs}. */
final class DiffersCondition implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Method method = context.getTestMethod().orElse(null);
    if (method == null) {
      return ConditionEvaluationResult.enabled("a container");
    }
    for (Differs d : context.getRequiredTestClass().getAnnotationsByType(Differs.class)) {
      if (d.test().equals(method.getName())) {
        return ConditionEvaluationResult.disabled(d.reason());
      }
    }
    return ConditionEvaluationResult.enabled("no known difference");
  }
}
