package dev.dlc.truffle;

import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.nodes.Node;

/**
 * The state of one polyglot context of DL: its environment, the builtins host code calls, and
 * which {@code train} blocks run (the option {@code dl.Train}: all, none, or one job's name).
 */
public final class DlContext {
    private static final TruffleLanguage.ContextReference<DlContext> REFERENCE = TruffleLanguage.ContextReference.create(DlLanguage.class);

    private final TruffleLanguage.Env env;
    private final HostBuiltins builtins;
    private final String train;
    private final boolean main;

    public DlContext(TruffleLanguage.Env env, HostBuiltins builtins, String train, boolean main) {
        this.env = env;
        this.builtins = builtins;
        this.train = train;
        this.main = main;
    }

    /** The context of the language a node belongs to. */
    public static DlContext get(Node node) { return REFERENCE.get(node); }

    public TruffleLanguage.Env env() { return env; }

    public HostBuiltins builtins() { return builtins; }

    /** Whether train job {@code job} runs when its block is reached. */
    public boolean runs(String job) { return train.equals("all") || train.equals(job); }

    /** Whether the main block runs (option {@code dl.Main}). */
    public boolean runsMain() { return main; }
}
