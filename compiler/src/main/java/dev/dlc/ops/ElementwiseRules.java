package dev.dlc.ops;

import dev.dlc.types.DType;
import dev.dlc.types.Dim;
import dev.dlc.types.Shape;
import dev.dlc.types.Type;
import dev.dlc.types.Type.Tensor;
import java.util.List;

/** Shape and dtype rules of elementwise ops, casts and the tensor sources. */
final class ElementwiseRules {
    private ElementwiseRules() {}

    /** exp log sqrt ...: a float tensor, same type. */
    static Type floatUnary(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        Check.floating(call, x);
        return x;
    }

    /** abs sign neg: float or int, same type. */
    static Type numericUnary(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        Check.numeric(call, x);
        return x;
    }

    static Type not(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        Check.bool(call, x, "a bool tensor");
        return x;
    }

    /** + - * / ** max min: numeric, equal dtypes, broadcast shape. */
    static Type arithmetic(Bound call) throws ShapeError {
        Tensor a = call.tensor("a"), b = call.tensor("b");
        Check.sameDtype(call, a, b);
        Check.numeric(call, a);
        return a.withShape(Broadcast.tensors(call, a, b));
    }

    /** < <= > >=: numeric, equal dtypes; bool result. */
    static Type order(Bound call) throws ShapeError {
        Tensor a = call.tensor("a"), b = call.tensor("b");
        Check.sameDtype(call, a, b);
        Check.numeric(call, a);
        return new Tensor(DType.BOOL, Broadcast.tensors(call, a, b));
    }

    /** == !=: any dtype, equal dtypes; bool result. */
    static Type equality(Bound call) throws ShapeError {
        Tensor a = call.tensor("a"), b = call.tensor("b");
        Check.sameDtype(call, a, b);
        return new Tensor(DType.BOOL, Broadcast.tensors(call, a, b));
    }

    /** and or: bool operands. */
    static Type logical(Bound call) throws ShapeError {
        Tensor a = call.tensor("a"), b = call.tensor("b");
        Check.bool(call, a, "bool operands");
        Check.bool(call, b, "bool operands");
        return a.withShape(Broadcast.tensors(call, a, b));
    }

    /** where(cond, a, b): bool cond, a and b of one dtype, all three broadcast. */
    static Type where(Bound call) throws ShapeError {
        Tensor c = call.tensor("cond"), a = call.tensor("a"), b = call.tensor("b");
        Check.bool(call, c, "a bool condition");
        Check.sameDtype(call, a, b);
        return a.withShape(Broadcast.tensors(call, c, a, b));
    }

    /** masked_fill(x, mask, value): the mask is bool and broadcasts to x; x's type. */
    static Type maskedFill(Bound call) throws ShapeError {
        Tensor x = call.tensor("x"), m = call.tensor("mask");
        Check.bool(call, m, "a bool mask");
        if (!Broadcast.to(m.shape(), x.shape())) throw call.fail("mask %s does not broadcast to %s", m, x);
        return x;
    }

    static Type dropout(Bound call) throws ShapeError {
        Tensor x = call.tensor("x");
        Check.floating(call, x);
        double p = call.real("p");
        // NaN: a rate known only at run time (a generic check of Dropout(p)).
        if (!Double.isNaN(p) && !(p >= 0 && p < 1)) throw call.fail("p must be in [0, 1), found %s", p);
        return x;
    }

    /** f32(x) ...: any tensor to the dtype fixed by the name. */
    static Type cast(Bound call) throws ShapeError {
        return call.tensor("x").withDtype(Check.dtype(call, "dtype"));
    }

    static Type identity(Bound call) { return call.tensor("x"); }

    /** zeros(shape) ones(shape) full(shape, value): no -1 or negative sizes. */
    static Type filled(Bound call) throws ShapeError {
        List<Dim> dims = call.dims("shape");
        for (Dim d : dims)
            if (d.isConst() && d.value() < 0) throw call.fail("expected sizes >= 0, found %s", Shape.of(dims));
        return new Tensor(Check.dtype(call, "dtype"), Shape.of(dims));
    }

    /** arange(n): i32[n]. */
    static Type arange(Bound call) throws ShapeError {
        Dim n = call.dim("n");
        if (n.isConst() && n.value() < 0) throw call.fail("expected n >= 0, found %s", n);
        return new Tensor(DType.I32, Shape.of(List.of(n)));
    }
}
