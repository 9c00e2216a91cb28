package dev.ember.apps.tutorial;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ember tutorial neuron}: prints the lines of {@link Neuron#run()}. */
@Command(
        name = "neuron",
        mixinStandardHelpOptions = true,
        description = {
            "One neuron, o = tanh(x1*w1 + x2*w2 + b), evaluated forward and differentiated with autograd.",
            "",
            "Reproduces this PyTorch program (from Karpathy's micrograd lecture) in float64, printing the"
                    + " same digits:",
            "",
            "  x1 = torch.Tensor([2.0]).double();  x1.requires_grad = True",
            "  x2 = torch.Tensor([0.0]).double();  x2.requires_grad = True",
            "  w1 = torch.Tensor([-3.0]).double(); w1.requires_grad = True",
            "  w2 = torch.Tensor([1.0]).double();  w2.requires_grad = True",
            "  b = torch.Tensor([6.8813735870195432]).double(); b.requires_grad = True",
            "  n = x1*w1 + x2*w2 + b",
            "  o = torch.tanh(n)",
            "  print(o.data.item())",
            "  o.backward()",
            "  print('---')",
            "  print('x2', x2.grad.item())   # then w2, x1, w1",
            "",
            "torch.Tensor([...]) is float32, so b is rounded to float32 before .double(); Ember's"
                    + " Tensor.of(6.88...).toDouble() does the same, which is why o is 0.70710669...,"
                    + " not 1/sqrt(2).",
            ""
        })
final class NeuronCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Neuron.run().forEach(out::println);
        out.flush();
        return 0;
    }
}
