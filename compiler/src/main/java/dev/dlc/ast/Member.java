package dev.dlc.ast;

import dev.dlc.diag.Span;
import java.util.List;

/** Members of a layer or optimizer body. */
public sealed interface Member {
    Span span();
    Ident name();

    /** {@code param W: f32[in, out] = xavier_uniform}; init may be null (zeros). */
    record ParamMember(Span span, Ident name, TypeExpr type, Expr init) implements Member {}

    /** {@code buffer running_mean: f32[C] = zeros}. */
    record BufferMember(Span span, Ident name, TypeExpr type, Expr init) implements Member {}

    /** {@code state m = zeros} in an optimizer: per-parameter state shaped like the parameter. */
    record StateMember(Span span, Ident name, TypeExpr type, Expr init) implements Member {}

    /** {@code forward(x: f32[B, in]) -> f32[B, out] = EXPR} and {@code update(p, g) { ... }}. */
    record MethodMember(Span span, Ident name, List<Decl.Param> params, TypeExpr result, Decl.Body body) implements Member {
        public MethodMember { params = List.copyOf(params); }
    }

    /** {@code conv1 = Conv2d(64, kernel = 3)}: a child layer or a named constant. */
    record ChildMember(Span span, Ident name, Expr value) implements Member {}

    /** {@code if bias { param b: f32[out] = zeros }}: members that exist only when a config condition holds. */
    record IfMember(Span span, Expr cond, List<Member> then, List<Member> otherwise) implements Member {
        public IfMember { then = List.copyOf(then); otherwise = List.copyOf(otherwise); }
        public Ident name() { return new Ident("if", span); }
    }
}
