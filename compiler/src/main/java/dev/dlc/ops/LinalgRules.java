package dev.dlc.ops;

import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import dev.dlc.types.Type.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Shape rules of matmul, conv2d and the 2-D pools. */
final class LinalgRules {
    private LinalgRules() {}

    /**
     * NumPy matmul: {@code [..., M, K] @ [..., K, N] -> [..., M, N]} with the batch dimensions
     * broadcast; a 1-D left operand is a row ({@code [K] @ [K, N] -> [N]}), a 1-D right operand a
     * column ({@code [B, D] @ [D] -> [B]}). {@code [..., K] @ [K, N] -> [..., N]} whatever the
     * unknown leading dimensions are, so a rest on the left is fine there.
     */
    static Type matmul(Bound call) throws ShapeError {
        Tensor a = call.tensor("a"), b = call.tensor("b");
        Check.sameDtype(call, a, b);
        Check.numeric(call, a);
        if (a.rank() == 0 || b.rank() == 0) throw call.fail("expected operands of rank >= 1, found %s @ %s", a, b);
        if (b.shape().hasRest() && b.rank() < 2) Check.knownRank(call, b);
        int ra = a.rank(), rb = b.rank();
        Dim k = a.dim(ra - 1);
        if (!k.equals(b.dim(rb == 1 ? 0 : rb - 2))) throw call.fail("inner dimensions differ: %s @ %s", a, b);
        List<Dim> aLead = a.shape().dims().subList(0, ra - 1);
        if (rb == 1) return a.withShape(a.shape().withDims(aLead));
        Dim n = b.dim(rb - 1);
        Shape bBatch = b.shape().withDims(b.shape().dims().subList(0, rb - 2));
        if (ra == 1 && !a.shape().hasRest()) return a.withShape(append(bBatch, n));
        if (ra == 1) {
            if (bBatch.hasRest() || bBatch.rank() > 0) Check.knownRank(call, a);
            return a.withShape(new Shape(a.shape().rest(), List.of(n)));
        }
        Shape aBatch = a.shape().withDims(a.shape().dims().subList(0, ra - 2));
        Shape batch = Broadcast.shapes(aBatch, bBatch)
                .orElseThrow(() -> call.fail("cannot broadcast the batch dimensions of %s @ %s", a, b));
        return a.withShape(append(batch, a.dim(ra - 2), n));
    }

    /**
     * conv2d(x: [N,C,H,W], w: [O,C/groups,KH,KW]) -> [N,O,H',W'] with, as in PyTorch,
     * {@code H' = floor((H + 2*padding - dilation*(KH-1) - 1) / stride) + 1}.
     */
    static Type conv2d(Bound call) throws ShapeError {
        Tensor x = call.tensor("x"), w = call.tensor("w");
        Check.rank(call, x, 4, "an input [N,C,H,W]");
        Check.rank(call, w, 4, "a weight [O,C/groups,KH,KW]");
        Check.floating(call, x);
        Check.sameDtype(call, x, w);
        long groups = call.integer("groups");
        long[] stride = call.pair("stride"), padding = call.pair("padding"), dilation = call.pair("dilation");
        positive(call, "groups", groups);
        positive(call, "stride", stride[0], stride[1]);
        positive(call, "dilation", dilation[0], dilation[1]);
        nonNegative(call, "padding", padding);
        Dim expects = w.dim(1).times(Dim.of(groups));
        if (!x.dim(1).equals(expects))
            throw call.fail("input has %s channels but the weight expects %s (groups = %d)", x.dim(1), expects, groups);
        Dim o = w.dim(0);
        if (o.isConst() && o.value() % groups != 0)
            throw call.fail("%s output channels are not divisible by groups = %d", o, groups);
        List<Dim> hw = window(call, x, List.of(w.dim(2), w.dim(3)), stride, padding, dilation);
        return x.withShape(Shape.of(List.of(x.dim(0), o, hw.get(0), hw.get(1))));
    }

    /** max_pool2d avg_pool2d (x: [N,C,H,W], kernel, stride = kernel, padding = 0) -> [N,C,H',W']. */
    static Type pool2d(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        Check.rank(call, x, 4, "an input [N,C,H,W]");
        Check.floating(call, x);
        long[] kernel = call.pair("kernel"), stride = call.pair("stride"), padding = call.pair("padding");
        positive(call, "kernel", kernel[0], kernel[1]);
        positive(call, "stride", stride[0], stride[1]);
        nonNegative(call, "padding", padding);
        for (int i = 0; i < 2; i++)
            if (2 * padding[i] > kernel[i])
                throw call.fail("padding %d is more than half the kernel %d", padding[i], kernel[i]);
        List<Dim> hw = window(call, x, List.of(Dim.of(kernel[0]), Dim.of(kernel[1])), stride, padding, new long[] {1, 1});
        return x.withShape(Shape.of(List.of(x.dim(0), x.dim(1), hw.get(0), hw.get(1))));
    }

    /** max_pool2d_grad (x: [N,C,H,W], g shaped as max_pool2d(x, ...)) -> x's type. */
    static Type maxPool2dGrad(Bound call) throws ShapeError {
        Type pooled = pool2d(call);
        Tensor g = call.tensor("g");
        if (!g.shape().equals(((Tensor) pooled).shape()))
            throw call.fail("the gradient %s is not shaped as the pool's output %s", g, pooled);
        return call.tensor("x");
    }

    /** The output sizes of a 2-D window over x's last two dims (floor division, as PyTorch). */
    private static List<Dim> window(Bound call, Tensor x, List<Dim> k, long[] stride, long[] padding, long[] dilation)
            throws ShapeError {
        var out = new ArrayList<Dim>();
        var span = new ArrayList<Dim>();
        for (int i = 0; i < 2; i++) {
            Dim size = x.dim(2 + i).plus(Dim.of(2 * padding[i]));
            Dim extent = k.get(i).minus(Dim.of(1)).times(Dim.of(dilation[i])).plus(Dim.of(1));
            span.add(size.minus(extent));
            if (span.get(i).isConst() && span.get(i).value() < 0)
                throw call.fail("kernel %sx%s%s is larger than the padded input %sx%s (input %s, padding %d)",
                        k.get(0), k.get(1), dilation[0] * dilation[1] == 1 ? "" : " dilated by " + dilation[0] + "x" + dilation[1],
                        x.dim(2).plus(Dim.of(2 * padding[0])), x.dim(3).plus(Dim.of(2 * padding[1])), x, padding[i]);
            Dim steps = stride[i] == 1 ? span.get(i) : span.get(i).floorDiv(Dim.of(stride[i]));
            Dim o = steps.plus(Dim.of(1));
            if (o.isConst() && o.value() <= 0) throw call.fail("output size %s is not positive for %s", o, x);
            out.add(o);
        }
        return out;
    }

    private static void positive(Bound call, String what, long... vs) throws ShapeError {
        for (long v : vs) if (v <= 0) throw call.fail("%s must be positive, found %d", what, v);
    }

    private static void nonNegative(Bound call, String what, long... vs) throws ShapeError {
        for (long v : vs) if (v < 0) throw call.fail("%s must be >= 0, found %d", what, v);
    }

    private static Shape append(Shape s, Dim... more) {
        var ds = new ArrayList<>(s.dims());
        ds.addAll(List.of(more));
        return s.withDims(ds);
    }
}
