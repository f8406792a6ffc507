package dev.lockstep.train.watch;

import dev.lockstep.train.TrainingInfo;
import dev.lockstep.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar per epoch for a terminal, redrawn in place with {@code \r}: examples done,
 * samples/s, ETA and the epoch's running mean loss. The main process draws it unless
 * {@code allRanks}. Redraws at most every {@value #REDRAW_NANOS} ns, so a fast loop does not
 * spend its time printing.
 */
public final class ProgressBar implements TrainingListener {
    private static final long REDRAW_NANOS = 100_000_000;
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean allRanks;
    private TrainingInfo info;
    private boolean active;
    private long epochStart;
    private long lastDraw;
    private double lossSum;

    public ProgressBar(PrintStream out, boolean allRanks) {
        this.out = out;
        this.allRanks = allRanks;
    }

    @Override
    public void onTrainingStart(TrainingInfo info) {
        this.info = info;
        this.active = allRanks || info.isMain();
    }

    @Override
    public void onEpochStart(int epoch) {
        epochStart = System.nanoTime();
        lastDraw = epochStart;
        lossSum = 0;
    }

    @Override
    public void onBatchEnd(int epoch, long batch, long batches, long samples, double loss) {
        lossSum += loss;
        long now = System.nanoTime();
        boolean last = batch + 1 == batches;
        if (!active || (!last && now - lastDraw < REDRAW_NANOS)) {
            return;
        }
        lastDraw = now;
        long done = Math.min((batch + 1) * info.batchSize(), info.samplesPerEpoch());
        out.print("\r" + render(epoch, info.epochs(), done, info.samplesPerEpoch(), (now - epochStart) / 1e9,
                lossSum / (batch + 1)) + (last ? "\n" : ""));
        out.flush();
    }

    /** One line: {@code Epoch 1/3 [=====>    ]  52% 31232/60000 4210 samples/s ETA 0:07 loss 0.3121}. */
    static String render(int epoch, int epochs, long done, long total, double elapsedSeconds, double loss) {
        double fraction = total == 0 ? 1 : (double) done / total;
        int filled = (int) (fraction * WIDTH);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        double rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
        String time = done >= total ? "in " + clock(elapsedSeconds) : "ETA " + (rate > 0 ? clock((total - done) / rate) : "?");
        return String.format(Locale.ROOT, "Epoch %d/%d [%s] %3.0f%% %d/%d %.0f samples/s %s loss %.4f", epoch, epochs,
                bar, 100 * fraction, done, total, rate, time, loss);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
