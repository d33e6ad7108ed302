package dev.dlc.ast;

import dev.dlc.diag.Span;
import java.util.List;

public record Block(Span span, List<Stmt> stmts) {
    public Block { stmts = List.copyOf(stmts); }
}
