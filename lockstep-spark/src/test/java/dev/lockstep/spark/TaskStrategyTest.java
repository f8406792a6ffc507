package dev.lockstep.spark;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.lockstep.parallel.Strategy;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class TaskStrategyTest {
    /** A Strategy method it left to the interface's default would silently skip the rank's real strategy. */
    @Test
    void passesOnEveryStrategyMethod() {
        for (Method m : Strategy.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getName().equals("isMain")) {
                continue; // isMain follows from rank()
            }
            assertDoesNotThrow(() -> TaskStrategy.class.getDeclaredMethod(m.getName(), m.getParameterTypes()),
                    "TaskStrategy does not pass on " + m);
        }
    }
}
