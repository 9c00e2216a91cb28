package dev.ember.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

class EmberCliTest {

    private record Result(int exitCode, String out, String err) {}

    private static Result run(String... args) {
        CommandLine cli = EmberCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void tutorialNeuronPrintsExactlySixLines() {
        Result r = run("tutorial", "neuron");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(String.join(System.lineSeparator(),
                "0.7071066904050358",
                "---",
                "x2 0.5000001283844369",
                "w2 0.0",
                "x1 -1.5000003851533106",
                "w1 1.0000002567688737") + System.lineSeparator(), r.out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : new String[][] {
                {"--help"}, {"info", "--help"}, {"tutorial", "--help"}, {"tutorial", "neuron", "--help"}}) {
            Result r = run(args);
            assertEquals(0, r.exitCode(), String.join(" ", args));
            assertTrue(r.out().startsWith("Usage: ember"), r.out());
        }
    }

    @Test
    void infoListsTheCpuBackend() {
        Result r = run("info");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Cores:"), r.out());
        assertTrue(r.out().contains("float lanes"), r.out());
        assertTrue(r.out().toLowerCase().contains("cpu"), r.out());
        // the CUDA backend is always listed: with its device, or with the reason it cannot run
        String cuda = dev.ember.cuda.Cuda.isAvailable() ? "CUDA on " : "not available: " + dev.ember.cuda.Cuda.unavailableReason();
        assertTrue(r.out().contains(cuda), r.out());
    }

    @Test
    void unknownCommandFailsWithUsage() {
        Result r = run("no-such-command");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Unmatched argument"), r.err());
    }
}
