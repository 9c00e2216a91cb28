package dev.ember.apps.vision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Turns the expected failures of a vision command (bad option values, missing data or runs, unreadable files,
 * no CUDA) into one line on stderr and exit code 1, instead of a stack trace.
 */
final class CommandErrors {
    private CommandErrors() {
    }

    static int run(CommandSpec spec, String command, Callable<Integer> body) {
        try {
            return body.call();
        } catch (IllegalArgumentException | IllegalStateException | IOException | UncheckedIOException e) {
            spec.commandLine().getErr().println("ember vision " + command + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
