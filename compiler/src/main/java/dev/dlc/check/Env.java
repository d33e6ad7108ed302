package dev.dlc.check;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Lexical scopes of local names; a child scope sees its parent's names and can rebind them. */
final class Env {
    private final Env parent;
    private final Map<String, Val> vars = new LinkedHashMap<>();
    /** What the names of a read-only scope are, for messages (e.g. "hyperparameter"); null if assignable. */
    private final String readOnly;

    Env(Env parent) { this(parent, null); }

    private Env(Env parent, String readOnly) {
        this.parent = parent;
        this.readOnly = readOnly;
    }

    Env child() { return new Env(this); }

    private final java.util.Set<String> fixedTypes = new java.util.HashSet<>();

    /** A name whose tensor type must not change when it is assigned (an optimizer's p and its states). */
    void fixType(String name) { fixedTypes.add(name); }

    boolean typeFixed(String name) {
        for (Env e = this; e != null; e = e.parent) if (e.vars.containsKey(name)) return e.fixedTypes.contains(name);
        return false;
    }

    /** A scope whose names cannot be assigned; {@code what} names them in errors. */
    static Env readOnly(String what) { return new Env(null, what); }

    /** What a read-only name is ("hyperparameter"), or null when it can be assigned (or is undefined). */
    String readOnlyKind(String name) {
        for (Env e = this; e != null; e = e.parent) if (e.vars.containsKey(name)) return e.readOnly;
        return null;
    }

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
