package dev.dlc.truffle;

import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.nodes.Node;

/** The state of one polyglot context of DL: its environment and the builtins host code calls. */
public final class DlContext {
    private static final TruffleLanguage.ContextReference<DlContext> REFERENCE = TruffleLanguage.ContextReference.create(DlLanguage.class);

    private final TruffleLanguage.Env env;
    private final HostBuiltins builtins;

    public DlContext(TruffleLanguage.Env env, HostBuiltins builtins) {
        this.env = env;
        this.builtins = builtins;
    }

    /** The context of the language a node belongs to. */
    public static DlContext get(Node node) { return REFERENCE.get(node); }

    public TruffleLanguage.Env env() { return env; }

    public HostBuiltins builtins() { return builtins; }
}
