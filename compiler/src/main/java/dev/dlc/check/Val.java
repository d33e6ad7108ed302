package dev.dlc.check;

import dev.dlc.ast.Decl;
import dev.dlc.ir.Node;
import dev.dlc.types.Dim;
import dev.dlc.types.Type;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Values of the staged evaluator. Config code computes with known values; staged tensor
 * code computes with {@link Tensor} values that carry a static type and the IR node that
 * produces them. A value may be unknown (a Float hyperparameter that is only known at run
 * time); {@link Bad} stands for a value whose computation already reported an error, so
 * that one mistake gives one diagnostic.
 */
public sealed interface Val {

    record Tensor(Type.Tensor type, Node node) implements Val {}

    /** An integer: a size (possibly symbolic, e.g. B) or a config value. {@code value} is null for run-time ints such as the step. */
    record Int(Dim value) implements Val {
        public static Int of(long v) { return new Int(Dim.of(v)); }
        public static final Int UNKNOWN = new Int(null);
        public boolean known() { return value != null && value.isConst(); }
        public long get() { return value.value(); }
    }

    /** A float; {@code value} is null when only its type is known. */
    record Real(Double value) implements Val {
        public static final Real UNKNOWN = new Real(null);
    }

    /** A boolean; {@code value} is null when only known at run time. */
    record Bool(Boolean value) implements Val {
        public static final Bool UNKNOWN = new Bool(null);
    }

    record Str(String value) implements Val {}

    record ListV(List<Val> items) implements Val {
        public ListV { items = List.copyOf(items); }
    }

    record TupleV(List<Val> items) implements Val {
        public TupleV { items = List.copyOf(items); }
    }

    /** An optional argument that was not given. */
    record None() implements Val {}

    /** A layer instance (with its parameters). */
    record Layer(LayerInst inst) implements Val {}

    /** Something callable: a declaration, a primitive, a builtin, or a partial application in a pipeline or seq. */
    record Fn(Callee callee, List<Arg> bound) implements Val {
        public Fn { bound = List.copyOf(bound); }
        public Fn(Callee callee) { this(callee, List.of()); }
    }

    /** A named keyword or positional argument, already evaluated. */
    record Arg(String keyword, Val value, dev.dlc.diag.Span span) {}

    /** A parameter initializer: {@code xavier_uniform}, {@code normal(0.01)}, or a constant. */
    record Init(String kind, List<Double> args) implements Val {}

    /** An optimizer with its hyperparameters, or a schedule with its hyperparameters. */
    record Optimizer(Decl.OptimizerDecl decl, Map<String, Val> hyper) implements Val {}
    /**
     * A schedule with its hyperparameters; {@code decl} is null for {@link #UNKNOWN}, the
     * value a hyperparameter declared {@code Schedule} has in a schedule's generic check.
     */
    record Schedule(Decl.ScheduleDecl decl, Map<String, Val> hyper) implements Val {
        public static final Schedule UNKNOWN = new Schedule(null, Map.of());
        public boolean known() { return decl != null; }
    }

    /** A data set: the types of its model inputs and of its labels, and its options. */
    record Data(String kind, List<Type.Tensor> inputs, Type.Tensor label, Map<String, Val> options) implements Val {
        public Data { inputs = List.copyOf(inputs); }
    }

    /** A value whose computation failed and was reported. */
    record Bad() implements Val {}

    /** The user-facing name of a value's type, for messages. */
    static String describe(Val v) {
        return switch (v) {
            case Tensor t -> t.type().toString();
            case Int i -> "Int";
            case Real r -> "Float";
            case Bool b -> "Bool";
            case Str s -> "String";
            case ListV l -> l.items().isEmpty() ? "[]" : "[" + describe(l.items().getFirst()) + "]";
            case TupleV t -> t.items().stream().map(Val::describe).collect(Collectors.joining(", ", "(", ")"));
            case None n -> "nothing";
            case Layer l -> "layer " + l.inst().typeName();
            case Fn f -> f.callee().kind() + " " + f.callee().name();
            case Init i -> "initializer " + i.kind();
            case Optimizer o -> "optimizer " + o.decl().name().name();
            case Schedule s -> s.known() ? "schedule " + s.decl().name().name() : "Schedule";
            case Data d -> "data set " + d.kind();
            case Bad b -> "<error>";
        };
    }
}
