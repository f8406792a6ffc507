package dev.lockstep.launcher;

/** {@code lockstep run}: the torchrun equivalent. The CLI's main dispatches {@code run} here. */
public final class RunCommand {
    private RunCommand() {
    }

    /** Returns the exit code: 0 when every worker succeeded, 2 for bad usage, 1 when a worker failed. */
    public static int run(String[] args) {
        LaunchConfig config;
        try {
            config = LaunchConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("lockstep run: " + e.getMessage());
            System.err.println(LaunchConfig.usage());
            return 2;
        }
        try {
            RunResult result = new LocalAgent(config, System.out, System.err).run();
            if (!result.isSuccess()) {
                System.err.println("lockstep run: " + result.summary());
                return 1;
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("lockstep run: interrupted; workers stopped");
            return 1;
        }
    }
}
