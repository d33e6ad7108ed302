package dev.dlc.check;

import dev.dlc.ast.Decl;
import dev.dlc.ast.Member;
import dev.dlc.diag.Span;
import dev.dlc.ir.Node;
import dev.dlc.types.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An instance of a layer: its config values, members and, once it has been called, the
 * dimensions its parameters were bound to. Instances are mutable while the checker
 * builds them (parameters are typed lazily, from the first input), and fixed after.
 */
public final class LayerInst {
    public enum Kind { DECL, SEQ, REPEAT, CALLABLE }

    final Kind kind;
    final Decl.LayerDecl decl;          // DECL only
    final Span span;                    // where it was constructed
    final Map<String, Val> config = new LinkedHashMap<>();
    final Map<String, Member> members = new LinkedHashMap<>();     // params, buffers, children, constants, methods
    final Map<String, Val> values = new LinkedHashMap<>();         // evaluated children and constants
    final Map<String, Val> inits = new LinkedHashMap<>();          // parameter and buffer initializers, evaluated with the config
    final List<LayerInst> items = new ArrayList<>();               // SEQ / REPEAT
    final Val callable;                                            // CALLABLE: a function applied in a seq
    /** Dimensions fixed by the first call: those that parameter types mention. */
    final Map<String, Bindings.Bound> fixedDims = new LinkedHashMap<>();
    /** Parameter and buffer types and IR nodes, once known. */
    final Map<String, Param> params = new LinkedHashMap<>();
    String name = "";                   // member name or seq index; "" for the root
    String displayName;                 // the declaring layer's name for `layer X() = seq { ... }`
    LayerInst parent;
    boolean called;

    /** A parameter or buffer with its resolved type and IR node. */
    public record Param(String name, Type.Tensor type, boolean trainable, Val init, Node node) {}

    LayerInst(Kind kind, Decl.LayerDecl decl, Span span, Val callable) {
        this.kind = kind;
        this.decl = decl;
        this.span = span;
        this.callable = callable;
    }

    public String typeName() {
        if (displayName != null) return displayName;
        return switch (kind) {
            case DECL -> decl.name().name();
            case SEQ -> "seq";
            case REPEAT -> "repeat";
            case CALLABLE -> Val.describe(callable);
        };
    }

    /** Dotted path from the root model, e.g. {@code features.0}. */
    public String path() {
        if (parent == null) return name;
        String p = parent.path();
        return p.isEmpty() ? name : p + "." + name;
    }

    void adopt(LayerInst child, String childName) {
        child.parent = this;
        child.name = childName;
    }

    public Kind kind() { return kind; }
    public List<LayerInst> items() { return List.copyOf(items); }
    public Map<String, Param> params() { return Map.copyOf(params); }

    /** Children in declaration order: seq items, or child members. */
    public List<LayerInst> children() {
        if (kind != Kind.DECL) return List.copyOf(items);
        var out = new ArrayList<LayerInst>();
        for (Val v : values.values()) collectLayers(v, out);
        return out;
    }

    private static void collectLayers(Val v, List<LayerInst> out) {
        switch (v) {
            case Val.Layer l -> out.add(l.inst());
            case Val.ListV l -> l.items().forEach(i -> collectLayers(i, out));
            case Val.TupleV t -> t.items().forEach(i -> collectLayers(i, out));
            default -> {}
        }
    }

    /** Number of trainable parameter elements of this layer alone (not its children); -1 if not concrete. */
    public long ownParamCount() {
        long n = 0;
        for (Param p : params.values()) {
            if (!p.trainable()) continue;
            var numel = p.type().shape().numel();
            if (!p.type().shape().isConcrete()) return -1;
            n += numel.value();
        }
        return n;
    }
}
