package dev.lockstep.plot;

/** One phase of one step on one rank, as read from a trace file; times in microseconds. */
public record Span(int rank, String phase, double startMicros, double durationMicros, long step) {

    public double endMicros() {
        return startMicros + durationMicros;
    }
}
