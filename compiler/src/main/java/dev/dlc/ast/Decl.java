package dev.dlc.ast;

import dev.dlc.diag.Span;
import java.util.List;

/** Top-level declarations of a `.dl` file. */
public sealed interface Decl {
    Span span();

    /** Declarations that bind a name in the module scope. */
    sealed interface Named extends Decl permits LayerDecl, FnDecl, OptimizerDecl, ScheduleDecl, TrainDecl {
        Ident name();
        default String kind() {
            return switch (this) {
                case LayerDecl _ -> "layer";
                case FnDecl _ -> "fn";
                case OptimizerDecl _ -> "optimizer";
                case ScheduleDecl _ -> "schedule";
                case TrainDecl _ -> "train job";
            };
        }
    }

    /** {@code use std.nn} (module) or {@code use "blocks.dl"} (file, relative to the importer). */
    record Use(Span span, String target, boolean isFile) implements Decl {}

    /** {@code layer NAME(CONFIG) { MEMBERS }} or {@code layer NAME(CONFIG) = EXPR}; exactly one of members/body is used. */
    record LayerDecl(Span span, Ident name, List<Param> params, List<Member> members, Expr body) implements Named {
        public LayerDecl { params = List.copyOf(params); members = List.copyOf(members); }
    }

    record FnDecl(Span span, Ident name, List<Param> params, TypeExpr result, Body body) implements Named {
        public FnDecl { params = List.copyOf(params); }
    }

    record OptimizerDecl(Span span, Ident name, List<Param> params, List<Member> members) implements Named {
        public OptimizerDecl { params = List.copyOf(params); members = List.copyOf(members); }
    }

    /** {@code schedule NAME(HYPER)(ARGS) -> TYPE = EXPR}. */
    record ScheduleDecl(Span span, Ident name, List<Param> hyper, List<Param> args, TypeExpr result, Body body) implements Named {
        public ScheduleDecl { hyper = List.copyOf(hyper); args = List.copyOf(args); }
    }

    record TrainDecl(Span span, Ident name, List<TrainEntry> entries) implements Named {
        public TrainDecl { entries = List.copyOf(entries); }
    }

    record TrainEntry(Ident key, Expr value) {}

    record MainDecl(Span span, Block body) implements Decl {}

    /** {@code name: Type = default}; type and default may each be absent (null). */
    record Param(Span span, Ident name, TypeExpr type, Expr defaultValue) {}

    sealed interface Body {
        Span span();
        record ExprBody(Expr expr) implements Body { public Span span() { return expr.span(); } }
        record BlockBody(Block block) implements Body { public Span span() { return block.span(); } }
    }
}
