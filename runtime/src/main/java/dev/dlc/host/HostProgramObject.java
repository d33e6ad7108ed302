package dev.dlc.host;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.ArityException;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.interop.UnsupportedMessageException;
import com.oracle.truffle.api.interop.UnsupportedTypeException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import dev.dlc.Compiler;
import dev.dlc.truffle.DlException;
import dev.dlc.truffle.DlList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code context.eval("dl", source)} returns: the compiled program, for an embedder.
 * Members: {@code jobs()} (the train jobs' names), {@code train(job)} (runs one, returns its
 * model), {@code model(name[, config])} (a layer built with a config map, fresh weights) and
 * {@code load(dir)} (a saved model). Errors are guest exceptions with a diagnostic message.
 */
@ExportLibrary(InteropLibrary.class)
public final class HostProgramObject implements TruffleObject {
    private static final List<String> MEMBERS = List.of("jobs", "train", "model", "load");

    private final Compiler.Compilation program;
    private final HostTraining builtins;

    HostProgramObject(Compiler.Compilation program, HostTraining builtins) {
        this.program = program;
        this.builtins = builtins;
    }

    @ExportMessage boolean hasMembers() { return true; }

    @ExportMessage Object getMembers(boolean includeInternal) { return new DlList(MEMBERS.toArray(), false); }

    @ExportMessage boolean isMemberInvocable(String member) { return MEMBERS.contains(member); }

    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] args) throws UnknownIdentifierException, ArityException, UnsupportedTypeException {
        var interop = InteropLibrary.getUncached();
        return switch (member) {
            case "jobs" -> {
                arity(args, 0, 0);
                yield new DlList(program.checker().jobs().keySet().toArray(), false);
            }
            case "train" -> {
                arity(args, 1, 1);
                String job = string(interop, args[0]);
                if (!program.checker().jobs().containsKey(job))
                    throw DlException.at((com.oracle.truffle.api.source.SourceSection) null, "no train job named '" + job + "'; the program has " + program.checker().jobs().keySet());
                yield new HostModelObject(program, builtins, builtins.trainJob(program, job));
            }
            case "model" -> {
                arity(args, 1, 2);
                var config = args.length == 2 ? config(interop, args[1]) : Map.<String, Object>of();
                yield new HostModelObject(program, builtins, builtins.model(program, string(interop, args[0]), config));
            }
            case "load" -> {
                arity(args, 1, 1);
                yield new HostModelObject(program, builtins, (HostModel) builtins.call(program, "load", List.of(string(interop, args[0])), Map.of(), null));
            }
            default -> throw UnknownIdentifierException.create(member);
        };
    }

    @ExportMessage boolean hasLanguage() { return true; }
    @ExportMessage Class<? extends com.oracle.truffle.api.TruffleLanguage<?>> getLanguage() { return dev.dlc.truffle.DlLanguage.class; }
    @ExportMessage Object toDisplayString(boolean allowSideEffects) { return toString(); }

    @Override public String toString() { return "program " + program.program().root().source().path() + " (jobs " + program.checker().jobs().keySet() + ")"; }

    static void arity(Object[] args, int min, int max) throws ArityException {
        if (args.length < min || args.length > max) throw ArityException.create(min, max, args.length);
    }

    static String string(InteropLibrary interop, Object v) throws UnsupportedTypeException {
        try {
            return interop.asString(v);
        } catch (UnsupportedMessageException e) {
            throw UnsupportedTypeException.create(new Object[] {v}, "expected a string");
        }
    }

    /** A config map (a Java Map, or any object with members) as host values: Long, Double, Boolean, String. */
    private static Map<String, Object> config(InteropLibrary interop, Object v) throws UnsupportedTypeException {
        var out = new LinkedHashMap<String, Object>();
        try {
            if (interop.hasHashEntries(v)) {
                var it = interop.getHashEntriesIterator(v);
                while (interop.hasIteratorNextElement(it)) {
                    var entry = interop.getIteratorNextElement(it);
                    out.put(string(interop, interop.readArrayElement(entry, 0)), scalar(interop, interop.readArrayElement(entry, 1)));
                }
            } else if (interop.hasMembers(v)) {
                var keys = interop.getMembers(v);
                for (long i = 0; i < interop.getArraySize(keys); i++) {
                    String k = string(interop, interop.readArrayElement(keys, i));
                    out.put(k, scalar(interop, interop.readMember(v, k)));
                }
            } else throw UnsupportedTypeException.create(new Object[] {v}, "expected a map of config values");
        } catch (UnsupportedMessageException | com.oracle.truffle.api.interop.InvalidArrayIndexException
                 | com.oracle.truffle.api.interop.StopIterationException | UnknownIdentifierException e) {
            throw UnsupportedTypeException.create(new Object[] {v}, "expected a map of config values");
        }
        return out;
    }

    private static Object scalar(InteropLibrary interop, Object v) throws UnsupportedMessageException, UnsupportedTypeException {
        if (interop.isBoolean(v)) return interop.asBoolean(v);
        if (interop.isString(v)) return interop.asString(v);
        if (interop.fitsInLong(v)) return interop.asLong(v);
        if (interop.fitsInDouble(v)) return interop.asDouble(v);
        throw UnsupportedTypeException.create(new Object[] {v}, "config values are numbers, booleans or strings");
    }
}
