package dev.dlc.truffle.nodes;

import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.frame.FrameDescriptor;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.RootNode;
import com.oracle.truffle.api.source.Source;
import com.oracle.truffle.api.source.SourceSection;
import dev.dlc.Compiler;

/**
 * A file's host program: its {@code train} blocks in order, then its {@code main} block;
 * returns what the builtins make of the program for an embedder. It keeps the compiled program, whose layers, fns and data sets the builtins use.
 */
public final class DlRootNode extends RootNode {
    @Child private DlStmtNode body;
    private final Source source;
    private final SourceSection section;
    private final Compiler.Compilation program;

    public DlRootNode(TruffleLanguage<?> language, FrameDescriptor frame, DlStmtNode body, Source source, SourceSection section,
                      Compiler.Compilation program) {
        super(language, frame);
        this.body = body;
        this.source = source;
        this.section = section;
        this.program = program;
    }

    Source source() { return source; }

    public Compiler.Compilation program() { return program; }

    @Override public Object execute(VirtualFrame frame) {
        body.executeVoid(frame);
        return value();
    }

    @com.oracle.truffle.api.CompilerDirectives.TruffleBoundary
    private Object value() { return dev.dlc.truffle.DlContext.get(this).builtins().value(program); }

    @Override public SourceSection getSourceSection() { return section; }
    @Override public String getName() { return "main"; }
    @Override public String toString() { return "main"; }
}
