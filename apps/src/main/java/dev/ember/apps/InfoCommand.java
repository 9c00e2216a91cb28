package dev.ember.apps;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ember info}: the JVM, the CPU's vector width and the compute backends Ember can use. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = {
            "Print the Java runtime, the number of cores, the Vector API's preferred vector size on this CPU,"
                    + " and the compute backends found (cpu always; cuda when ember-cuda and a GPU are present)."
        })
final class InfoCommand implements Callable<Integer> {

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime.Version version = Runtime.version();
        out.printf("Java:     %s (%s, %s)%n", version, System.getProperty("java.vendor"),
                System.getProperty("java.vm.name"));
        out.printf("Cores:    %d%n", Runtime.getRuntime().availableProcessors());
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            out.printf("Vector:   %s%n", VectorInfo.preferredFloatSpecies());
        } else {
            out.printf("Vector:   not available (run java with --add-modules %s)%n", VECTOR_MODULE);
        }
        List<Backend> backends = Backends.all();
        out.printf("Backends: %d available%n", Backends.available().size());
        for (Backend b : backends) {
            out.printf("  %-8s %s%n", b.name(), b.isAvailable() ? b.description()
                    : "not available: " + b.unavailableReason());
        }
        if (backends.stream().noneMatch(b -> b.deviceType().equals("cuda"))) {
            out.printf("  %-8s not available: ember-cuda is not on the class path%n", "cuda");
        }
        out.flush();
        return 0;
    }

    /** Kept apart so FloatVector is only loaded once we know the incubator module is present. */
    private static final class VectorInfo {
        static String preferredFloatSpecies() {
            var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
            return String.format("FloatVector.SPECIES_PREFERRED = %d float lanes, %d bits",
                    species.length(), species.vectorBitSize());
        }
    }
}
