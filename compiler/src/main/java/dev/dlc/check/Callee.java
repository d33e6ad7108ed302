package dev.dlc.check;

import dev.dlc.ast.Decl;
import dev.dlc.ops.OpDef;
import java.util.List;

/** The things a call can target. */
public sealed interface Callee {
    String name();
    String kind();

    record Layer(Decl.LayerDecl decl) implements Callee {
        public String name() { return decl.name().name(); }
        public String kind() { return "layer"; }
    }
    record Fn(Decl.FnDecl decl) implements Callee {
        public String name() { return decl.name().name(); }
        public String kind() { return "fn"; }
    }
    record Optimizer(Decl.OptimizerDecl decl) implements Callee {
        public String name() { return decl.name().name(); }
        public String kind() { return "optimizer"; }
    }
    record Schedule(Decl.ScheduleDecl decl) implements Callee {
        public String name() { return decl.name().name(); }
        public String kind() { return "schedule"; }
    }
    /** A primitive: its overloads in the op table. */
    record Prim(String name, List<OpDef> overloads) implements Callee {
        public String kind() { return "primitive"; }
    }
    /** A builtin implemented by the checker (range, scan, initializers, data sets, ...). */
    record Builtin(String name, String module) implements Callee {
        public String kind() { return "builtin"; }
    }
}
