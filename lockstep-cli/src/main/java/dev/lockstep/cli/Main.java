package dev.lockstep.cli;

import dev.lockstep.launcher.RunCommand;
import dev.lockstep.parallel.dist.DistributedException;
import dev.lockstep.train.NonFiniteLossException;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code lockstep} command. Bad input prints one line naming the flag or file and exits 2;
 * {@code --verbose} adds the stack trace.
 */
public final class Main {
    static final String USAGE = """
            usage: lockstep <command> [options]
              train   train a seed model (see lockstep train --help)
              run     start DDP workers, as torchrun: lockstep run --nproc-per-node N -- <train args>
              plot    loss, accuracy and timeline charts of a train --out DIR: lockstep plot DIR
              info    devices, versions, threads and backends
            """;

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            System.out.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        boolean verbose = rest.contains("--verbose");
        try {
            return switch (argv[0]) {
                case "train" -> TrainCommand.run(rest);
                case "run" -> RunCommand.run(rest.toArray(String[]::new));
                case "plot" -> PlotCommand.run(rest);
                case "info" -> InfoCommand.run();
                default -> throw new UsageException("unknown command '" + argv[0] + "': expected train, run, plot or info");
            };
        } catch (UsageException | IllegalArgumentException e) {
            return fail(e, verbose);
        } catch (NonFiniteLossException | DistributedException e) {
            // Training failed (not the input): one line, and exit 1 so launchers see a failed worker.
            System.err.println("lockstep: error: " + e.getMessage());
            if (verbose) {
                e.printStackTrace();
            }
            return 1;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return fail(e, verbose);
        }
    }

    private static int fail(Exception e, boolean verbose) {
        System.err.println("lockstep: error: " + e.getMessage());
        if (verbose) {
            e.printStackTrace();
        }
        return 2;
    }
}
