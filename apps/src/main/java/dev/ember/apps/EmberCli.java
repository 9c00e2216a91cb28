package dev.ember.apps;

import dev.ember.apps.bench.BenchCommand;
import dev.ember.apps.tutorial.TutorialCommand;
import dev.ember.apps.vision.VisionCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ember} command line: {@code ember <group> <command> [options]}.
 *
 * <p>Run through the {@code ./ember} launcher at the repository root, which builds the project on
 * first use and passes the JVM flags Ember needs ({@code --add-modules jdk.incubator.vector}).
 */
@Command(
        name = "ember",
        mixinStandardHelpOptions = true,
        versionProvider = EmberCli.Version.class,
        description = "Ember: a PyTorch-style deep learning suite for the JVM.",
        subcommands = {InfoCommand.class, TutorialCommand.class, BenchCommand.class, VisionCommand.class},
        footer = {"", "Run 'ember <command> --help' for the options of a command."})
public final class EmberCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for {@link #main} and for tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new EmberCli());
    }

    /** Version from the jar manifest; "dev" when run from classes (tests, IDE). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = EmberCli.class.getPackage().getImplementationVersion();
            return new String[] {"ember " + (v == null ? "dev" : v)};
        }
    }
}
