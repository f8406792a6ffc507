package dev.lockstep.launcher;

import java.util.List;

/**
 * How a launch ended.
 *
 * @param state      {@link WorkerState#SUCCEEDED} or {@link WorkerState#FAILED}
 * @param failedRank the global rank that failed first, or -1
 * @param exitCode   its exit code, or 0
 * @param lastErrors its last stderr lines
 */
public record RunResult(WorkerState state, int failedRank, int exitCode, List<String> lastErrors) {

    public static RunResult succeeded() {
        return new RunResult(WorkerState.SUCCEEDED, -1, 0, List.of());
    }

    public boolean isSuccess() {
        return state == WorkerState.SUCCEEDED;
    }

    /** A summary for the console. */
    public String summary() {
        if (isSuccess()) {
            return "all workers succeeded";
        }
        return "rank " + failedRank + " failed with exit code " + exitCode
                + (lastErrors.isEmpty() ? "" : "; its last error output:\n  " + String.join("\n  ", lastErrors));
    }
}
