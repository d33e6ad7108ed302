package dev.dlc.host;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.ArityException;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.InvalidArrayIndexException;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.interop.UnsupportedMessageException;
import com.oracle.truffle.api.interop.UnsupportedTypeException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import dev.dlc.Compiler;
import dev.dlc.ops.Tensor;
import dev.dlc.truffle.DlContext;
import dev.dlc.truffle.DlList;
import dev.dlc.types.DType;
import java.util.List;
import java.util.Map;

/**
 * A model handed to an embedder: {@code predict(values, shape)} runs the forward on row-major
 * floats (a Java float[] or double[], or any array of numbers) and returns a float[];
 * {@code save(dir)} writes a checkpoint; {@code weights()} lists the weights' paths.
 */
@ExportLibrary(InteropLibrary.class)
public final class HostModelObject implements TruffleObject {
    private static final List<String> MEMBERS = List.of("predict", "save", "weights");

    private final Compiler.Compilation program;
    private final HostTraining builtins;
    private final HostModel model;

    HostModelObject(Compiler.Compilation program, HostTraining builtins, HostModel model) {
        this.program = program;
        this.builtins = builtins;
        this.model = model;
    }

    @ExportMessage boolean hasMembers() { return true; }

    @ExportMessage Object getMembers(boolean includeInternal) { return new DlList(MEMBERS.toArray(), false); }

    @ExportMessage boolean isMemberInvocable(String member) { return MEMBERS.contains(member); }

    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] args) throws UnknownIdentifierException, ArityException, UnsupportedTypeException {
        var interop = InteropLibrary.getUncached();
        return switch (member) {
            case "predict" -> {
                HostProgramObject.arity(args, 2, 2);
                double[] values = numbers(interop, args[0]);
                double[] dims = numbers(interop, args[1]);
                int[] shape = new int[dims.length];
                long n = 1;
                for (int i = 0; i < shape.length; i++) { shape[i] = (int) dims[i]; n *= shape[i]; }
                if (n != values.length)
                    throw UnsupportedTypeException.create(args, values.length + " values do not fill a shape " + java.util.Arrays.toString(shape));
                var x = Tensor.of(DType.F32, shape, values).fit(false);
                var y = (Tensor) builtins.call(program, "predict", List.of(model, x), Map.of(), null);
                var out = new float[y.numel()];
                for (int i = 0; i < out.length; i++) out[i] = (float) y.at(i);
                yield DlContext.get(null).env().asGuestValue(out);
            }
            case "save" -> {
                HostProgramObject.arity(args, 1, 1);
                yield builtins.call(program, "save", List.of(model, HostProgramObject.string(interop, args[0])), Map.of(), null);
            }
            case "weights" -> {
                HostProgramObject.arity(args, 0, 0);
                yield new DlList(model.weights.keySet().toArray(), false);
            }
            default -> throw UnknownIdentifierException.create(member);
        };
    }

    @ExportMessage boolean hasLanguage() { return true; }
    @ExportMessage Class<? extends com.oracle.truffle.api.TruffleLanguage<?>> getLanguage() { return dev.dlc.truffle.DlLanguage.class; }
    @ExportMessage Object toDisplayString(boolean allowSideEffects) { return toString(); }

    @Override public String toString() { return model.toString(); }

    /** Numbers from a Java array (float[], double[], int[], long[]) or an interop array. */
    private static double[] numbers(InteropLibrary interop, Object v) throws UnsupportedTypeException {
        var env = DlContext.get(null).env();
        if (env.isHostObject(v)) {
            switch (env.asHostObject(v)) {
                case float[] f -> { var d = new double[f.length]; for (int i = 0; i < f.length; i++) d[i] = f[i]; return d; }
                case double[] d -> { return d.clone(); }
                case int[] a -> { return java.util.Arrays.stream(a).asDoubleStream().toArray(); }
                case long[] a -> { return java.util.Arrays.stream(a).asDoubleStream().toArray(); }
                default -> {}
            }
        }
        try {
            var out = new double[Math.toIntExact(interop.getArraySize(v))];
            for (int i = 0; i < out.length; i++) out[i] = interop.asDouble(interop.readArrayElement(v, i));
            return out;
        } catch (UnsupportedMessageException | InvalidArrayIndexException | ArithmeticException e) {
            throw UnsupportedTypeException.create(new Object[] {v}, "expected an array of numbers");
        }
    }
}
