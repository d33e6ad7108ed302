package dev.dlc.ops;

import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;

/**
 * One primitive: how DL names and binds it, its fusion kind, shape and FLOP rules, its derivative
 * (null where it has no rule yet) and its kernels.
 *
 * @param name     the DL name, also used in messages and printed IR ({@code add} for {@code +})
 * @param operator the operator spelling ({@code +}, {@code @}, {@code not}), or null
 * @param function whether {@code name} is callable as a function ({@code exp(x)}, {@code matmul(a, b)})
 * @param fixed    attributes implied by the name and added to every binding (a cast's {@code dtype})
 * @param view     whether the result is the argument's row-major data read under another shape
 *                 (reshape, flatten): a backend may alias the argument's buffer instead of copying
 * @param gpu      null: run the cpu kernel
 */
public record OpDef(Prim prim, String name, String operator, boolean function, Sig sig, Map<String, Object> fixed,
                    Fusion fusion, boolean view, ShapeRule shape, FlopRule flops, VjpRule vjp, Kernel cpu, Kernel gpu) {

    public OpDef { fixed = Map.copyOf(fixed); }

    /** Binds a call's arguments to this op's signature (see {@link Sig#bind}). */
    public Bound bind(List<?> positional, Map<String, ?> named) throws ShapeError {
        return sig.bind(name, positional, named, fixed);
    }

    public Type infer(Bound args) throws ShapeError { return shape.infer(args); }

    /** This row with its result marked as a view of its argument's buffer. */
    OpDef asView() { return new OpDef(prim, name, operator, function, sig, fixed, fusion, true, shape, flops, vjp, cpu, gpu); }

    /** The same op under another DL name with fixed attributes (the casts {@code f32(x)} ...). */
    OpDef alias(String alias, Sig aliasSig, Map<String, Object> attrs) {
        return new OpDef(prim, alias, null, true, aliasSig, attrs, fusion, view, shape, flops, vjp, cpu, gpu);
    }
}
