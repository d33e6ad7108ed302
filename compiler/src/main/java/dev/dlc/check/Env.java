package dev.dlc.check;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Lexical scopes of local names; a child scope sees its parent's names and can rebind them. */
final class Env {
    private final Env parent;
    private final Map<String, Val> vars = new LinkedHashMap<>();

    Env(Env parent) { this.parent = parent; }

    Env child() { return new Env(this); }

    void define(String name, Val v) { vars.put(name, v); }

    Val lookup(String name) {
        for (Env e = this; e != null; e = e.parent) {
            Val v = e.vars.get(name);
            if (v != null) return v;
        }
        return null;
    }

    /** Rebinds an existing name in the scope that defines it; false if no scope does. */
    boolean assign(String name, Val v) {
        for (Env e = this; e != null; e = e.parent) {
            if (e.vars.containsKey(name)) { e.vars.put(name, v); return true; }
        }
        return false;
    }

    Set<String> names() {
        var out = new TreeSet<String>();
        for (Env e = this; e != null; e = e.parent) out.addAll(e.vars.keySet());
        return out;
    }
}
