package dev.dlc.truffle;

import com.oracle.truffle.api.source.SourceSection;
import dev.dlc.Compiler;
import java.util.List;
import java.util.Map;

/**
 * The functions host code ({@code main}) calls by name: {@code print}, {@code range}, {@code len}
 * and the training builtins ({@code fit}, {@code evaluate}, ...). This is the one seam between
 * the Truffle host language and the rest of dlc: the training loop plugs in by implementing it
 * (usually delegating to {@link DefaultHostBuiltins} for the names it does not handle) and
 * passing it to {@link DlContext}.
 *
 * <p>Values crossing this interface are the host language's: {@code Long} (Int),
 * {@code Double} (Float), {@code Boolean}, {@code String}, {@link DlList}, {@link DlNone} and
 * {@link DlGlobal} (a top-level name such as a layer, fn or metric, passed as an argument).
 * A builtin may also return any other Java object (a model, a data set); host code can keep it
 * in variables and pass it back to builtins, and {@code print} shows its {@code toString()}.
 * Returning {@code null} means None.
 */
public interface HostBuiltins {
    /**
     * Calls the builtin {@code name}.
     *
     * @param program the compiled program whose host code calls it (its layers, fns and data sets)
     * @param args   positional arguments, in order
     * @param kwargs keyword arguments, in the order written
     * @param at     the call in the source; report a user error with
     *               {@code throw DlException.at(at, "name: message")}, which prints as a
     *               positioned diagnostic (never throw other exceptions for user errors)
     */
    Object call(Compiler.Compilation program, String name, List<Object> args, Map<String, Object> kwargs, SourceSection at);

    /**
     * Runs train job {@code job} of {@code program}: the host program's {@code train} blocks
     * run in order before {@code main}. {@code at} is the block's name.
     */
    default void train(Compiler.Compilation program, String job, SourceSection at) {
        throw DlException.at(at, "train " + job + ": this context cannot train models");
    }

    /** What evaluating the program gives its embedder (an interop object), after its train blocks and main ran. */
    default Object value(Compiler.Compilation program) { return DlNone.INSTANCE; }
}
