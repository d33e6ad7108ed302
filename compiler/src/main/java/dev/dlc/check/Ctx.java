package dev.dlc.check;

import dev.dlc.ast.Module;

/**
 * Where an expression is evaluated: the module whose names it sees, its local scope, the
 * layer whose forward it is in (or null), the dimension bindings of the signature being
 * checked, and the kind of code.
 */
record Ctx(Module module, Env env, LayerInst self, Bindings dims, Mode mode, Val.Bool training) {
    enum Mode {
        /** Layer construction, config defaults, seq items, train entries: no tensors. */
        CONFIG,
        /** forward, fn, update and schedule bodies: tensor code that is lowered to the IR. */
        STAGED,
        /** main: host statements run by the language runtime. */
        HOST
    }

    Ctx withEnv(Env e) { return new Ctx(module, e, self, dims, mode, training); }
}
